"""Posting to Slack through the job runner's outbox (bot.jobs.slack_delivery), not directly.

A message enqueued here is delivered by `probity worker` (or the worker thread of `probity
serve`) with retries and backoff; a failure shows in `probity jobs` and never undoes the
change the message reports. Called with a session, it commits with that change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.jobs.queue import enqueue
from bot.jobs.slack_delivery import DM, POST
from bot.store import Store

#: Job kinds whose payload names a declaration: the card is built when it is sent, so it
#: shows the declaration as it is then, and a retry never posts stale text.
CARD = "slack.declaration_card"
ENDORSEMENT_REQUEST = "slack.endorsement_request"


def post(session: Session, channel: str, text: str, blocks: list[dict[str, Any]], *,
         thread_ts: str | None = None, key: str | None = None) -> int:
    payload: dict[str, Any] = {"channel": channel, "text": text, "blocks": blocks}
    if thread_ts:
        payload["thread_ts"] = thread_ts
    return enqueue(session, POST, payload, idempotency_key=key)


def direct_message(session: Session, user: str, text: str, blocks: list[dict[str, Any]], *,
                   key: str | None = None) -> int:
    return enqueue(session, DM, {"user": user, "text": text, "blocks": blocks},
                   idempotency_key=key)


def announce_declaration(session: Session, reference: str) -> None:
    """The integrity unit's card and, when its route needs one, the line manager's request:
    two jobs, so one failing (the bot not in the channel) never holds up the other."""
    enqueue(session, CARD, {"reference": reference}, idempotency_key=f"card:{reference}")
    enqueue(session, ENDORSEMENT_REQUEST, {"reference": reference},
            idempotency_key=f"endorse:{reference}")


def post_now(store: Store, channel: str, text: str, blocks: list[dict[str, Any]], *,
             thread_ts: str | None = None, key: str | None = None) -> int:
    """`post` in a transaction of its own, for a change another service has committed."""
    with store.transaction() as session:
        return post(session, channel, text, blocks, thread_ts=thread_ts, key=key)


def direct_message_now(store: Store, user: str, text: str, blocks: list[dict[str, Any]], *,
                       key: str | None = None) -> int:
    with store.transaction() as session:
        return direct_message(session, user, text, blocks, key=key)
