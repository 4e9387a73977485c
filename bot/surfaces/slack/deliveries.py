"""Remembering which Slack deliveries were handled, so a retried event does its work once."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from bot.store import Store
from bot.store.models import ProcessedDelivery, utcnow


def claim_delivery(store: Store, key: str) -> bool:
    """True the first time `key` is claimed, False for every later delivery of it.

    The primary key does the deciding, so two processes behind a load balancer that receive
    the original and the retry at once still let only one through.
    """
    # The hour only: enough for the purge-deliveries schedule to drop keys once Slack's
    # retries (minutes) are over, and no record of when anyone wrote to Probity.
    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    try:
        with store.transaction() as session:
            session.add(ProcessedDelivery(key=key[:200], at=hour))
    except IntegrityError:
        return False
    return True
