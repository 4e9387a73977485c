"""ack() first: a handler's form is answered before the declarant's DM is posted, and a DM
that fails is logged without undoing the decision."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from slack_mock.harness import HANDLER, STAFF, SlackHarness
from test_slack_commands import _ask_for_information
from test_slack_conversations import _card, _press_on_card, answers_for, declare_by_modal

from bot.casework.notify import DeclarantNotice
from bot.surfaces.slack.notifier import SlackNotifier, held_until_acknowledged

pytest_plugins = ["slack_mock.fixtures"]

SLOW_DM_SECONDS = 3.0


def _slow_dms(slack: SlackHarness) -> list[float]:
    """Make every DM to the declarant take three seconds; returns when each one started."""
    started: list[float] = []
    lock = threading.Lock()

    def answer(args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel") == STAFF:
            with lock:
                started.append(time.monotonic())
            time.sleep(SLOW_DM_SECONDS)
        return slack.api._built_in("chat.postMessage", args)

    slack.api.override("chat.postMessage", answer)
    return started


def _text(value: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


@pytest.mark.parametrize("step", ["decide", "ask"])
def test_the_form_is_answered_before_the_declarants_dm_is_sent(slack: SlackHarness,
                                                               step: str) -> None:
    declare_by_modal(slack, "gift", answers_for(slack, "gift_hospitality"))
    card = _card(slack)
    if step == "decide":
        _press_on_card(slack, HANDLER, card, "probity_decide:", "approved")
        view, values = slack.opened_view("probity_decide"), {"rationale": _text("Modest.")}
    else:
        _ask_for_information(slack, HANDLER, card)
        view = slack.opened_view("probity_ask_declarant")
        values = {"question": _text("Who paid for the tickets?")}
    # The copy of the declaration DM'd to the declarant is already sent (the card follows it).
    before = len([c for c in slack.api.calls_to("chat.postMessage") if c["channel"] == STAFF])
    started = _slow_dms(slack)

    began = time.monotonic()
    answered = slack.send.interaction(slack.payloads.view_submission(HANDLER, view, values))
    acked = time.monotonic()

    assert answered.status == 200 and not answered.text  # the modal closes
    # Before the fix the DM was posted first, so the ack waited for the slow Web API call.
    assert acked - began < SLOW_DM_SECONDS / 2
    slack.api.wait_for("chat.postMessage", count=before + 1,
                       where=lambda c: c["channel"] == STAFF, timeout=SLOW_DM_SECONDS * 3)
    assert started and started[0] >= acked - 0.05
    # The card is marked after the DM; wait for it so nothing is left running.
    if step == "decide":
        slack.api.wait_for("chat.update", timeout=SLOW_DM_SECONDS * 3)
    else:
        slack.api.wait_for("chat.postMessage", where=lambda c: c.get("thread_ts") == card["ts"],
                           timeout=SLOW_DM_SECONDS * 3)


class _FailingThenWorkingClient:
    """A WebClient stand-in whose first chat.postMessage fails."""

    def __init__(self) -> None:
        self.posted: list[dict[str, Any]] = []

    def chat_postMessage(self, **args: Any) -> dict[str, Any]:  # noqa: N802 - slack_sdk's name
        if not self.posted and not getattr(self, "failed", False):
            self.failed = True
            raise RuntimeError("channel_not_found")
        self.posted.append(args)
        return {"ok": True}


def _notice(reference: str) -> DeclarantNotice:
    return DeclarantNotice(reference=reference, kind="gift_hospitality", surface="slack",
                           surface_id=STAFF, display_name="Sam Patel", event="decision",
                           outcome="approved", rationale="Modest.")


def test_held_notices_wait_for_send_and_a_failure_is_logged_not_raised(
        caplog: pytest.LogCaptureFixture) -> None:
    client = _FailingThenWorkingClient()
    notifier = SlackNotifier(client)  # type: ignore[arg-type]
    with held_until_acknowledged() as held:
        notifier.notify(_notice("GH-2026-0001"))
        notifier.notify(_notice("GH-2026-0002"))
    assert client.posted == [] and len(held) == 2  # nothing posted before send()
    with caplog.at_level(logging.ERROR):
        assert held.send() == 1
    assert "GH-2026-0002" in client.posted[0]["text"]
    assert "could not send the decision notice on GH-2026-0001" in caplog.text
    assert len(held) == 0 and held.send() == 0  # sent once only


def test_outside_a_listener_a_notice_is_posted_at_once() -> None:
    client = _FailingThenWorkingClient()
    client.failed = True
    SlackNotifier(client).notify(_notice("GH-2026-0003"))  # type: ignore[arg-type]
    assert len(client.posted) == 1
