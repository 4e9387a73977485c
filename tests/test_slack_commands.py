"""The smaller Slack surfaces, end to end: `/integrity mine` and `help`, asking the integrity
unit from an answer, and a handler asking a declarant for more information."""

from __future__ import annotations

import dataclasses
import json
import time

from slack_mock.harness import HANDLER, INTEGRITY_CHANNEL, OUTSIDER, STAFF, SlackHarness
from slack_mock.rendering import mrkdwn_text, plain_text
from sqlalchemy import func, select
from test_slack_conversations import _card, _declarations, answers_for, declare_by_modal

from bot.store.models import AuditEvent, StatusChange

pytest_plugins = ["slack_mock.fixtures"]


def _responded(slack: SlackHarness) -> str:
    """Everything the last `respond()` to a slash command said, as text."""
    return json.dumps(slack.api.wait_for("respond")[-1].args).lower()


# -- /integrity mine and help --------------------------------------------------------------

def test_mine_with_nothing_filed_says_so(slack: SlackHarness) -> None:
    slack.send.command(slack.payloads.slash_command(STAFF, "mine"))
    assert "haven't filed any declarations" in _responded(slack)


def test_mine_lists_only_my_own_declarations_with_their_status(slack: SlackHarness) -> None:
    declare_by_modal(slack, "gift", answers_for(slack, "gift_hospitality"))
    [mine] = _declarations(slack)
    slack.send.command(slack.payloads.slash_command(STAFF, "mine"))
    listed = _responded(slack)
    assert mine.reference.lower() in listed and "submitted" in listed

    # Someone else sees none of it.
    slack.api.reset()
    slack.send.command(slack.payloads.slash_command(OUTSIDER, "mine"))
    theirs = _responded(slack)
    assert mine.reference.lower() not in theirs and "haven't filed any declarations" in theirs


def test_mine_shows_a_decision_once_there_is_one(slack: SlackHarness) -> None:
    declare_by_modal(slack, "gift", answers_for(slack, "gift_hospitality"))
    [declaration] = _declarations(slack)
    handler_id = slack.services.person_id(slack.services.people.speaker(slack.client, HANDLER))
    slack.services.casework.decide(declaration.reference, "approved", "Modest and declared.",
                                   by=handler_id)
    slack.send.command(slack.payloads.slash_command(STAFF, "mine"))
    listed = _responded(slack)
    assert "decision: approved" in listed and "modest and declared." in listed


def test_help_and_an_unknown_verb_list_every_verb(slack: SlackHarness) -> None:
    for text in ("help", "", "frobnicate"):
        slack.api.reset()
        slack.send.command(slack.payloads.slash_command(STAFF, text))
        said = _responded(slack)
        for verb in ("ask", "declare", "report", "followup", "mine", "help"):
            assert f"/integrity {verb}" in said, (text, verb)


# -- asking the integrity unit -------------------------------------------------------------

def test_ask_the_integrity_unit_posts_the_question_to_the_channel(slack: SlackHarness) -> None:
    slack.send.event(slack.payloads.direct_message(STAFF, "Can I keep a box of chocolates?"))
    posted = slack.api.wait_for("chat.postMessage")[0]
    answer = {"ts": "1770000000.000001", "text": posted["text"], "blocks": posted["blocks"]}
    ask = next(e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == "probity_ask_unit")
    slack.send.interaction(slack.payloads.block_action(STAFF, ask["action_id"], ask["value"],
                                                       message=answer))
    modal = slack.opened_view("probity_ask_unit")
    question = "A supplier sent <!channel> a hamper *for the team*: who keeps it?"
    done = slack.send.interaction(slack.payloads.view_submission(
        STAFF, modal, {"question": {"value": {"type": "plain_text_input", "value": question}}}))
    assert done.status == 200

    [to_unit] = slack.api.wait_for("chat.postMessage",
                                   where=lambda c: c["channel"] == INTEGRITY_CHANNEL)
    shown = json.dumps(to_unit["blocks"])
    assert "Sam Patel" in shown and f"<@{STAFF}>" in shown
    assert "hamper" in shown
    # What the person typed cannot ping the channel or pass for Probity's bold labels.
    assert "<!channel>" not in mrkdwn_text(to_unit["blocks"])
    assert question in plain_text(to_unit["blocks"])
    told = slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] == STAFF)
    assert "sent your question" in told[-1]["text"]


def test_a_blank_question_is_sent_back_not_claimed_as_sent(slack: SlackHarness) -> None:
    modal = {"id": "V0ASK", "type": "modal", "callback_id": "probity_ask_unit", "blocks": [],
             "private_metadata": ""}
    answer = slack.send.interaction(slack.payloads.view_submission(
        STAFF, modal, {"question": {"value": {"type": "plain_text_input", "value": "  "}}}))
    assert answer.json() == {"response_action": "errors",
                             "errors": {"question": "Write your question."}}
    time.sleep(0.3)
    assert not slack.api.calls_to("chat.postMessage")


def test_without_an_integrity_channel_the_person_is_told_it_was_not_sent(
        slack: SlackHarness) -> None:
    slack.services.settings = dataclasses.replace(slack.services.settings,
                                                  integrity_channel=None)
    modal = {"id": "V0ASK", "type": "modal", "callback_id": "probity_ask_unit", "blocks": [],
             "private_metadata": ""}
    slack.send.interaction(slack.payloads.view_submission(
        STAFF, modal, {"question": {"value": {"type": "plain_text_input",
                                              "value": "Who keeps the hamper?"}}}))
    [told] = slack.api.wait_for("chat.postMessage")
    assert told["channel"] == STAFF and "couldn't send" in told["text"]


# -- a handler asks the declarant for information -------------------------------------------

def _ask_for_information(slack: SlackHarness, user: str, card: dict) -> None:
    button = next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == "probity_ask_declarant")
    slack.send.interaction(slack.payloads.block_action(
        user, button["action_id"], button["value"], channel=INTEGRITY_CHANNEL, message=card))


def test_a_handler_asks_for_information_and_the_declarant_is_asked_by_dm(
        slack: SlackHarness) -> None:
    declare_by_modal(slack, "gift", answers_for(slack, "gift_hospitality"))
    card = _card(slack)
    _ask_for_information(slack, HANDLER, card)
    modal = slack.opened_view("probity_ask_declarant")
    answer = slack.send.interaction(slack.payloads.view_submission(
        HANDLER, modal, {"question": {"value": {"type": "plain_text_input",
                                                "value": "What was the tickets' face value?"}}}))
    assert answer.status == 200 and not answer.text

    [declaration] = _declarations(slack)
    assert declaration.status == "information_requested"
    with slack.store.session() as session:
        change = session.scalars(select(StatusChange).order_by(StatusChange.id.desc())).first()
    assert change.to_status == "information_requested"
    assert change.note == "What was the tickets' face value?"
    # The declarant already has a DM (their copy of the filing): wait for the question's.
    asked = slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] == STAFF
                               and "face value" in str(c.get("text")))[-1]
    assert declaration.reference in asked["text"] and "face value" in asked["text"]
    # The card keeps its buttons (the decision is still to come) and gains a thread note.
    noted = slack.api.wait_for("chat.postMessage", where=lambda c: c.get("thread_ts"))[-1]
    assert noted["channel"] == INTEGRITY_CHANNEL and noted["thread_ts"] == card["ts"]
    assert not slack.api.calls_to("chat.update")


def test_asking_for_information_is_refused_to_someone_outside_the_unit(
        slack: SlackHarness) -> None:
    declare_by_modal(slack, "gift", answers_for(slack, "gift_hospitality"))
    card = _card(slack)
    _ask_for_information(slack, OUTSIDER, card)
    assert slack.refusal_seen(OUTSIDER)
    assert not [c for c in slack.api.calls_to("views.open")
                if c["view"]["callback_id"] == "probity_ask_declarant"]
    forged = {"id": "V0FORGED", "type": "modal", "callback_id": "probity_ask_declarant",
              "blocks": [], "private_metadata": json.dumps(
                  {"ref": _declarations(slack)[0].reference})}
    answer = slack.send.interaction(slack.payloads.view_submission(
        OUTSIDER, forged, {"question": {"value": {"type": "plain_text_input",
                                                  "value": "Anything?"}}})).json()
    assert answer["response_action"] == "errors"
    assert _declarations(slack)[0].status == "submitted"
    with slack.store.session() as session:
        refusals = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "casework.refused"))
    assert refusals == 2
