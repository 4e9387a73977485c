"""A declarant answers the integrity unit's request for information from Slack, end to end."""

from __future__ import annotations

import json

import pytest
from slack_mock.harness import HANDLER, INTEGRITY_CHANNEL, OUTSIDER, STAFF, SlackHarness
from slack_mock.rendering import mrkdwn_text, plain_text
from sqlalchemy import select
from test_slack_commands import _ask_for_information
from test_slack_conversations import _card, _declarations, answers_for, declare_by_modal

from bot.store.models import AuditEvent, StatusChange

pytest_plugins = ["slack_mock.fixtures"]

HOSTILE = "<!channel> *bold* <https://evil|click>"


@pytest.fixture
def asked(slack: SlackHarness) -> dict:
    """A gift filed, a handler asks from its card; returns the card and the declarant's DM."""
    declare_by_modal(slack, "gift", answers_for(slack, "gift_hospitality"))
    card = _card(slack)
    _ask_for_information(slack, HANDLER, card)
    modal = slack.opened_view("probity_ask_declarant")
    slack.send.interaction(slack.payloads.view_submission(
        HANDLER, modal, {"question": {"value": {"type": "plain_text_input",
                                                "value": "What was the tickets' face value?"}}}))
    dm = slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] == STAFF and
                            "face value" in c["text"])[-1]
    return {"card": card, "dm": {"ts": "1770000000.000300", "text": dm["text"],
                                 "blocks": dm["blocks"], "channel": f"D{STAFF[1:]}"}}


def _press_answer(slack: SlackHarness, user: str, dm: dict) -> None:
    button = next(e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == "probity_answer_request")
    slack.send.interaction(slack.payloads.block_action(
        user, button["action_id"], button["value"], channel=dm["channel"], message=dm))


def _answer(text: str) -> dict:
    return {"answer": {"value": {"type": "plain_text_input", "value": text}}}


def _refusals(slack: SlackHarness) -> list[dict]:
    with slack.store.session() as session:
        return [event.details for event in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "casework.refused"))]


def test_the_declarant_answers_and_the_declaration_returns_to_the_unit(
        slack: SlackHarness, asked: dict) -> None:
    _press_answer(slack, STAFF, asked["dm"])
    modal = slack.opened_view("probity_answer_request")
    assert "face value" in json.dumps(modal["blocks"])  # the question is shown beside the box
    answer = f"About £40 each. {HOSTILE}"
    done = slack.send.interaction(slack.payloads.view_submission(STAFF, modal, _answer(answer)))
    assert done.status == 200 and not done.text

    [declaration] = _declarations(slack)
    assert declaration.status == "submitted"
    with slack.store.session() as session:
        step = session.scalars(select(StatusChange).order_by(StatusChange.id.desc())).first()
    assert (step.from_status, step.to_status, step.note) == (
        "information_requested", "submitted", answer)

    # The unit's card gains a note in its thread, with the answer shown, not obeyed.
    note = slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] ==
                              INTEGRITY_CHANNEL and "answered" in c["text"])[-1]
    assert note["thread_ts"] == asked["card"]["ts"]
    shown = json.dumps(note["blocks"])
    assert "40 each" in shown and "Sam Patel" in shown
    said = mrkdwn_text(note["blocks"])
    assert "<!channel>" not in said and "<https://evil" not in said
    assert HOSTILE in plain_text(note["blocks"])  # shown exactly as typed, in plain text
    # The DM's button is gone, so the question cannot be answered twice by accident.
    updated = slack.api.wait_for("chat.update")[-1]
    assert updated["ts"] == asked["dm"]["ts"]
    assert "actions" not in [b["type"] for b in updated["blocks"]]
    assert "<!channel>" not in mrkdwn_text(updated["blocks"])


def test_a_forged_answer_from_someone_else_is_refused_and_audited(
        slack: SlackHarness, asked: dict) -> None:
    _press_answer(slack, OUTSIDER, asked["dm"])
    assert "recorded" in slack.refusal_seen(OUTSIDER)
    assert not [c for c in slack.api.calls_to("views.open")
                if c["view"]["callback_id"] == "probity_answer_request"]

    # A hand-made submission of the form is refused by the casework service as well.
    reference = _declarations(slack)[0].reference
    forged = {"id": "V0FORGED", "type": "modal", "callback_id": "probity_answer_request",
              "blocks": [], "private_metadata": json.dumps({"ref": reference,
                                                            "card_ts": asked["card"]["ts"]})}
    answer = slack.send.interaction(slack.payloads.view_submission(
        OUTSIDER, forged, _answer("It was free, decide now."))).json()
    assert answer["response_action"] == "errors" and "recorded" in answer["errors"]["answer"]
    assert _declarations(slack)[0].status == "information_requested"
    assert _refusals(slack) == [{"step": "provide information"}] * 2
    assert not [c for c in slack.api.calls_to("chat.postMessage") if "answered" in c["text"]]


def test_an_answer_with_no_open_question_is_sent_back(slack: SlackHarness, asked: dict) -> None:
    _press_answer(slack, STAFF, asked["dm"])
    modal = slack.opened_view("probity_answer_request")
    slack.send.interaction(slack.payloads.view_submission(STAFF, modal, _answer("£40 each.")))
    again = slack.send.interaction(slack.payloads.view_submission(
        STAFF, modal, _answer("And the programme was £5."))).json()
    assert again["response_action"] == "errors"
    assert "Nobody has asked" in again["errors"]["answer"]
