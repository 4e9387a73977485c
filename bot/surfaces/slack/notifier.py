"""Telling declarants by direct message what the integrity unit decided or needs to know."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from slack_sdk import WebClient

from bot.casework.notify import DeclarantNotice
from bot.surfaces.slack.blocks import section
from bot.surfaces.slack.declaration_views import information_request
from bot.surfaces.slack.escaping import escape_mrkdwn
from bot.surfaces.slack.turns import SURFACE

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
    """casework's Notifier for Slack users; people from other surfaces are left alone."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def notify(self, notice: DeclarantNotice) -> None:
        if notice.surface != SURFACE:
            return
        if notice.event == "information_requested":
            blocks = information_request(notice.text, notice.reference, _card_ts.get())
        else:
            blocks = [section(notice.text)]
        # Posting to a user id opens (or reuses) the bot's DM with them.
        self._client.chat_postMessage(channel=notice.surface_id, text=escape_mrkdwn(notice.text),
                                      blocks=blocks)
