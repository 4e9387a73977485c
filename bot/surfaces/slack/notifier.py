"""Telling declarants by direct message, through the outbox, what the integrity unit decided
or needs to know."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar

from sqlalchemy.orm import Session

from bot.casework.notify import DeclarantNotice
from bot.store import Store
from bot.surfaces.slack.blocks import labelled_blocks, section, sections
from bot.surfaces.slack.declaration_views import information_request
from bot.surfaces.slack.escaping import escape_mrkdwn
from bot.surfaces.slack.outbox import direct_message
from bot.surfaces.slack.turns import SURFACE

log = logging.getLogger(__name__)

# The integrity-channel card a handler is acting on, if any. The casework service calls the
# notifier in the same thread as the listener, after its own commit, with no Slack argument;
# this lets the question's DM carry the card's ts so the answer can be threaded under it.
_card_ts: ContextVar[str | None] = ContextVar("probity_card_ts", default=None)


@contextlib.contextmanager
def acting_on_card(ts: str | None) -> Iterator[None]:
    """Within this block, notices name the card at `ts` as the one they came from."""
    token = _card_ts.set(ts)
    try:
        yield
    finally:
        _card_ts.reset(token)


class SlackNotifier:
    """casework's Notifier for Slack users: each notice becomes a `slack.dm` outbox job in
    the transaction of the decision or question it reports, so it is sent once that
    commits (with retries), never for one that rolled back, and never before the modal
    that caused it has been answered. People on other surfaces are left alone."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def enqueue(self, session: Session, notice: DeclarantNotice) -> None:
        if notice.surface != SURFACE:
            return
        if notice.event == "information_requested":
            blocks = information_request(notice.text, notice.reference, _card_ts.get(),
                                         notice.question)
        else:
            blocks = _notice_blocks(notice)
        direct_message(session, notice.surface_id, escape_mrkdwn(notice.text), blocks)

    def notify(self, notice: DeclarantNotice) -> None:
        """For a caller with no transaction of its own: the job in a transaction alone."""
        with self._store.transaction() as session:
            self.enqueue(session, notice)


def _notice_blocks(notice: DeclarantNotice) -> list[dict[str, object]]:
    """A decision DM: its first line as Probity says it, the unit's typed reasons and
    conditions in plain text under mrkdwn labels."""
    if notice.event not in {"decision", "appeal_decision"}:
        return sections(notice.text)
    heading = notice.text.split("\n", 1)[0]
    shown: list[dict[str, object]] = [section(heading)]
    if notice.rationale:
        shown += labelled_blocks("*Why:*", notice.rationale)
    if notice.conditions:
        shown += labelled_blocks("*Conditions:*", notice.conditions)
    return shown
