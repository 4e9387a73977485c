"""Remembering which Slack deliveries were handled, so a retried event does its work once."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from bot.store import Store
from bot.store.models import ProcessedDelivery


def claim_delivery(store: Store, key: str) -> bool:
    """True the first time `key` is claimed, False for every later delivery of it.

    The primary key does the deciding, so two processes behind a load balancer that receive
    the original and the retry at once still let only one through.
    """
    try:
        with store.transaction() as session:
            session.add(ProcessedDelivery(key=key[:200]))
    except IntegrityError:
        return False
    return True
