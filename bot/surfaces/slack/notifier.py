"""Telling declarants by direct message what the integrity unit decided or needs to know."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

from slack_sdk import WebClient

from bot.casework.notify import DeclarantNotice
from bot.surfaces.slack.blocks import labelled_blocks, section, sections
from bot.surfaces.slack.declaration_views import information_request
from bot.surfaces.slack.escaping import escape_mrkdwn
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


@dataclass
class HeldNotices:
    """Direct messages a listener holds back until it has acknowledged Slack's request.

    A view submission must be answered within three seconds, and its answer (errors or
    not) can only be given once the casework step has run; posting the declarant's DM in
    between would spend that time on a Web API call nobody is waiting for.
    """

    _posts: list[tuple[str, Callable[[], object]]] = field(default_factory=list)

    def hold(self, what: str, post: Callable[[], object]) -> None:
        self._posts.append((what, post))

    def __len__(self) -> int:
        return len(self._posts)

    def send(self) -> int:
        """Post every held message in order; a failure is logged and the rest still go.

        The decision is committed whatever happens here, and the declarant still finds it
        under "my declarations". Returns how many were posted.
        """
        posts, self._posts = self._posts, []
        sent = 0
        for what, post in posts:
            try:
                post()
                sent += 1
            except Exception:
                log.exception("could not send %s", what)
        return sent


_held: ContextVar[HeldNotices | None] = ContextVar("probity_held_notices", default=None)


@contextlib.contextmanager
def held_until_acknowledged() -> Iterator[HeldNotices]:
    """Within this block, notices are kept in the yielded HeldNotices; call its send() once
    ack() has returned. Anything not sent when the block's caller gives up is dropped with
    the failed step that made it."""
    held = HeldNotices()
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)


class SlackNotifier:
    """casework's Notifier for Slack users; people from other surfaces are left alone."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def notify(self, notice: DeclarantNotice) -> None:
        if notice.surface != SURFACE:
            return
        if notice.event == "information_requested":
            # The card is read now: the holder posts later, outside acting_on_card.
            blocks = information_request(notice.text, notice.reference, _card_ts.get(),
                                         notice.question)
        else:
            blocks = _notice_blocks(notice)

        def post() -> object:
            # Posting to a user id opens (or reuses) the bot's DM with them.
            return self._client.chat_postMessage(channel=notice.surface_id,
                                                 text=escape_mrkdwn(notice.text),
                                                 blocks=blocks)

        held = _held.get()
        if held is not None:
            held.hold(f"the {notice.event} notice on {notice.reference}", post)
        else:
            post()



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
