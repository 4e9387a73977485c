"""Questions and declarations in Slack, end to end against the mock Web API.

Each declaration is made twice: as a DM conversation (buttons, date and user pickers) and as
a modal built from the same definition; both must file the same kind of record.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_mock.harness import (
    HANDLER,
    INTEGRITY_CHANNEL,
    MANAGER,
    OUTSIDER,
    STAFF,
    SlackHarness,
)
from slack_mock.payloads import input_values
from sqlalchemy import func, select

from bot.store.models import AnswerFeedback, AuditEvent, Decision, Declaration

pytest_plugins = ["slack_mock.fixtures"]

DM = f"D{STAFF[1:]}"
KINDS = ["gift_hospitality", "business_interest", "notifiable_association"]


def default_answer(spec: Any) -> str:
    """A plausible answer for any field, so the tests follow the YAML as it is edited."""
    return {
        "text": "Two tickets to the rugby", "long_text": "Offered after a community event.",
        "money": "£30", "date": "2026-01-15", "yes_no": "no", "number": "8",
        "organisation": "Northgate Rugby Club", "person": MANAGER,
    }.get(spec.type) or spec.options[0].value


def answers_for(slack: SlackHarness, workflow: str) -> dict[str, str]:
    definition = slack.services.definitions[workflow]
    return {spec.name: default_answer(spec) for spec in definition.fields}


def _latest_question(slack: SlackHarness, after: int) -> tuple[dict, dict | None]:
    """The newest DM message posted after `after` calls, and its question block if any."""
    calls = slack.api.wait_for("chat.postMessage", count=after + 1,
                               where=lambda c: c["channel"] == DM)
    message = {"ts": f"1770000000.{len(calls):06d}", "text": calls[-1].get("text", ""),
               "blocks": calls[-1]["blocks"]}
    question = next((b for b in message["blocks"]
                     if str(b.get("block_id", "")).startswith("q:")), None)
    return message, question


def declare_by_dm(slack: SlackHarness, workflow: str, answers: dict[str, str]) -> str:
    """Hold the whole conversation in a DM; returns the reference filed."""
    posted = 0
    slack.send.event(slack.payloads.direct_message(STAFF, f"declare "
                     f"{slack.services.definitions[workflow].commands[0]}"))
    for _ in range(60):
        message, question = _latest_question(slack, posted)
        posted = len([c for c in slack.api.calls_to("chat.postMessage") if c["channel"] == DM])
        buttons = [e for b in message["blocks"] if b["type"] == "actions"
                   for e in b["elements"]]
        if "filed" in json.dumps(message["blocks"]).lower() or any(
                "-2026-" in b.get("text", {}).get("text", "") for b in message["blocks"]
                if b["type"] == "section") and question is None:
            text = json.dumps(message["blocks"])
            return next(word.strip("*`.,:") for word in text.replace("\\n", " ").split()
                        if "-20" in word and word[:2] in {"GH", "BI", "NA"})
        if question is None:
            confirm = next(e for e in buttons if e.get("value") == "confirm")
            slack.send.interaction(slack.payloads.block_action(
                STAFF, confirm["action_id"], "confirm", message=message))
            continue
        field = question["block_id"][2:]
        answer = answers[field]
        choice = next((e for e in buttons if e.get("value") == f"choice:{answer}"), None)
        pickers = {e["type"]: e for e in buttons}
        if choice is not None:
            slack.send.interaction(slack.payloads.block_action(
                STAFF, choice["action_id"], choice["value"], message=message))
        elif "datepicker" in pickers:
            slack.send.interaction(slack.payloads.block_action(
                STAFF, "probity_date", block_id=f"f:{field}", message=message,
                selected={"type": "datepicker", "selected_date": answer}))
        elif "users_select" in pickers:
            slack.send.interaction(slack.payloads.block_action(
                STAFF, "probity_person", block_id=f"f:{field}", message=message,
                selected={"type": "users_select", "selected_user": answer}))
        else:
            slack.send.event(slack.payloads.direct_message(STAFF, answer))
    raise AssertionError("the conversation did not finish")


def declare_by_modal(slack: SlackHarness, word: str, answers: dict[str, str]) -> dict:
    slack.send.command(slack.payloads.slash_command(STAFF, f"declare {word}"))
    view = slack.opened_view("probity_declare")
    values = input_values(view, {f"field:{k}": v for k, v in answers.items()})
    return slack.send.interaction(slack.payloads.view_submission(STAFF, view, values)).json()


def _declarations(slack: SlackHarness) -> list[Declaration]:
    with slack.store.session() as session:
        found = list(session.scalars(select(Declaration).order_by(Declaration.id)))
        for declaration in found:
            _ = declaration.person  # loaded while the session is open
        return found


# -- questions ---------------------------------------------------------------------------

def test_a_question_in_a_dm_is_answered_with_its_citation(slack: SlackHarness) -> None:
    slack.send.event(slack.payloads.direct_message(
        STAFF, "Can I accept a bottle of wine from a victim?"))
    answer = slack.api.wait_for("chat.postMessage")[0]
    assert answer["channel"] == DM
    text = json.dumps(answer["blocks"])
    assert "Gifts and Hospitality" in text and "gifts-and-hospitality.md" in text
    assert "Was this helpful?" in text


def test_a_helpful_vote_is_kept_without_who_gave_it(slack: SlackHarness) -> None:
    slack.send.event(slack.payloads.direct_message(STAFF, "Can I keep a box of chocolates?"))
    posted = slack.api.wait_for("chat.postMessage")[0]
    message = {"ts": "1.2", "text": posted["text"], "blocks": posted["blocks"]}
    yes = next(e for b in message["blocks"] if b["type"] == "actions"
               for e in b["elements"] if e["action_id"] == "probity_feedback_yes")
    slack.send.interaction(slack.payloads.block_action(STAFF, yes["action_id"], yes["value"],
                                                       message=message))
    slack.api.wait_for("chat.update")
    with slack.store.session() as session:
        votes = session.scalars(select(AnswerFeedback)).all()
    assert [(v.document, v.helpful) for v in votes] == [
        (json.loads(yes["value"])["document"], True)]
    assert votes[0].document and not hasattr(votes[0], "person_id")


def test_a_mention_is_answered_in_a_thread(slack: SlackHarness) -> None:
    envelope = slack.payloads.app_mention(STAFF, "can I have a second job as a taxi driver?")
    slack.send.event(envelope)
    reply = slack.api.wait_for("chat.postMessage")[0]
    assert reply["channel"] == "C0GENERAL"
    assert reply["thread_ts"] == envelope["event"]["ts"]
    assert "Business Interests" in json.dumps(reply["blocks"])


def test_a_retried_event_is_handled_once(slack: SlackHarness) -> None:
    envelope = slack.payloads.direct_message(STAFF, "What is the gift limit?")
    assert slack.send.event(envelope).status == 200
    slack.api.wait_for("chat.postMessage")
    assert slack.send.event(envelope, retry_num=1).status == 200
    assert slack.send.event(envelope, retry_num=2).status == 200
    import time

    time.sleep(0.5)
    assert len(slack.api.calls_to("chat.postMessage")) == 1


def test_slash_ask_answers_privately(slack: SlackHarness) -> None:
    slack.send.command(slack.payloads.slash_command(STAFF, "ask can I accept cash?"))
    reply = slack.api.wait_for("respond")[0]
    assert "Gifts and Hospitality" in json.dumps(reply.args)


# -- declarations ------------------------------------------------------------------------

@pytest.mark.parametrize("workflow", KINDS)
def test_each_declaration_can_be_made_in_a_dm(slack: SlackHarness, workflow: str) -> None:
    reference = declare_by_dm(slack, workflow, answers_for(slack, workflow))
    [declaration] = _declarations(slack)
    assert declaration.reference == reference and declaration.kind == workflow
    assert declaration.person.surface_id == STAFF
    card = slack.api.wait_for("chat.postMessage",
                              where=lambda c: c["channel"] == INTEGRITY_CHANNEL)[0]
    assert reference in card["text"]


@pytest.mark.parametrize(("workflow", "word"), list(zip(KINDS, ["gift", "interest", "association"],
                                                           strict=True)))
def test_each_declaration_can_be_made_in_a_modal(slack: SlackHarness, workflow: str,
                                                 word: str) -> None:
    answer = declare_by_modal(slack, word, answers_for(slack, workflow))
    assert answer["response_action"] == "update", answer
    [declaration] = _declarations(slack)
    assert declaration.kind == workflow
    assert declaration.reference in json.dumps(answer["view"])
    slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] == INTEGRITY_CHANNEL)


def test_a_bad_answer_in_a_modal_is_shown_under_its_field_and_nothing_is_filed(
        slack: SlackHarness) -> None:
    answers = {**answers_for(slack, "gift_hospitality"), "value": "lots of money"}
    answer = declare_by_modal(slack, "gift", answers)
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["field:value"]
    assert _declarations(slack) == []


def test_a_modal_submitted_twice_files_once(slack: SlackHarness) -> None:
    slack.send.command(slack.payloads.slash_command(STAFF, "declare gift"))
    view = slack.opened_view("probity_declare")
    answers = answers_for(slack, "gift_hospitality")
    values = input_values(view, {f"field:{k}": v for k, v in answers.items()})
    submission = slack.payloads.view_submission(STAFF, view, values)
    slack.send.interaction(submission)
    again = slack.send.interaction(submission).json()
    assert "already filed" in json.dumps(again["view"])
    [declaration] = _declarations(slack)
    # The form's own key went in with the declaration, in the filing transaction.
    assert declaration.idempotency_key == json.loads(view["private_metadata"])["key"]
    assert declaration.reference in json.dumps(again["view"])
    # The unit gets one card, and the declarant one copy.
    assert len(slack.api.wait_for("chat.postMessage",
                                  where=lambda c: c["channel"] == INTEGRITY_CHANNEL)) == 1
    assert len(slack.api.wait_for("chat.postMessage", count=2)) == 2


def test_a_modal_delivered_twice_at_once_files_once(slack: SlackHarness) -> None:
    from concurrent.futures import ThreadPoolExecutor

    slack.send.command(slack.payloads.slash_command(STAFF, "declare gift"))
    view = slack.opened_view("probity_declare")
    answers = answers_for(slack, "gift_hospitality")
    values = input_values(view, {f"field:{k}": v for k, v in answers.items()})
    submission = slack.payloads.view_submission(STAFF, view, values)
    # Known already, as anyone who has used Probity before is: this test is about the filing.
    slack.services.person_id(slack.services.people.speaker(slack.client, STAFF))
    with ThreadPoolExecutor(2) as pool:
        answers_given = list(pool.map(lambda _: slack.send.interaction(submission).json(),
                                      range(2)))
    assert [a["response_action"] for a in answers_given] == ["update", "update"], answers_given
    [declaration] = _declarations(slack)
    assert all(declaration.reference in json.dumps(a["view"]) for a in answers_given)


# -- the integrity unit --------------------------------------------------------------------

def file_gift_needing_endorsement(slack: SlackHarness) -> Declaration:
    """Sam Patel files an £80 accepted gift; its route needs his line manager, Morgan Reid."""
    from bot.store.models import Person

    # Slack knows nothing of line management: the directory (or an earlier answer) does.
    with slack.store.transaction() as session:
        manager = Person(surface="slack", surface_id=MANAGER, display_name="Morgan Reid")
        session.add(manager)
        session.flush()
        session.add(Person(surface="slack", surface_id=STAFF, display_name="Sam Patel",
                           line_manager_id=manager.id))
    answers = {**answers_for(slack, "gift_hospitality"), "value": "£80",
               "decision": "accepted"}
    assert declare_by_modal(slack, "gift", answers)["response_action"] == "update"
    [declaration] = _declarations(slack)
    return declaration


def _card(slack: SlackHarness) -> dict:
    call = slack.api.wait_for("chat.postMessage",
                              where=lambda c: c["channel"] == INTEGRITY_CHANNEL)[-1]
    return {"ts": "1770000000.000100", "text": call["text"], "blocks": call["blocks"]}


def _press_on_card(slack: SlackHarness, user: str, card: dict, starts: str,
                   outcome: str | None = None) -> None:
    button = next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"].startswith(starts) and
                  (outcome is None or json.loads(e["value"])["outcome"] == outcome))
    slack.send.interaction(slack.payloads.block_action(
        user, button["action_id"], button["value"], channel=INTEGRITY_CHANNEL, message=card))


def test_a_handler_decides_from_the_channel_card_and_the_declarant_is_told(
        slack: SlackHarness) -> None:
    declare_by_modal(slack, "gift", answers_for(slack, "gift_hospitality"))
    card = _card(slack)
    _press_on_card(slack, HANDLER, card, "probity_decide:", "approved")
    modal = slack.opened_view("probity_decide")
    answer = slack.send.interaction(slack.payloads.view_submission(
        HANDLER, modal, {"rationale": {"value": {"type": "plain_text_input",
                                                 "value": "Modest, declared promptly."}}}))
    assert answer.status == 200 and not answer.text
    [declaration] = _declarations(slack)
    assert declaration.status == "approved"
    with slack.store.session() as session:
        decision = session.scalars(select(Decision)).one()
    assert decision.rationale == "Modest, declared promptly."
    updated = slack.api.wait_for("chat.update")[-1]
    assert updated["channel"] == INTEGRITY_CHANNEL and updated["ts"] == card["ts"]
    told = slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] == STAFF)
    assert declaration.reference in told[-1]["text"]


def test_a_forged_decision_from_someone_outside_the_unit_is_refused_and_audited(
        slack: SlackHarness) -> None:
    declare_by_modal(slack, "gift", answers_for(slack, "gift_hospitality"))
    card = _card(slack)
    _press_on_card(slack, OUTSIDER, card, "probity_decide:", "approved")
    assert slack.refusal_seen(OUTSIDER)
    assert not [c for c in slack.api.calls_to("views.open")
                if c["view"]["callback_id"] == "probity_decide"]
    # Even a forged submission of the rationale modal itself is refused on the server.
    forged_view = {"id": "V0FORGED", "callback_id": "probity_decide", "type": "modal",
                   "private_metadata": json.dumps({"ref": _declarations(slack)[0].reference,
                                                   "outcome": "approved"}), "blocks": []}
    answer = slack.send.interaction(slack.payloads.view_submission(
        OUTSIDER, forged_view, {"rationale": {"value": {"type": "plain_text_input",
                                                        "value": "self-approved"}}})).json()
    assert answer["response_action"] == "errors"
    assert _declarations(slack)[0].status == "submitted"
    with slack.store.session() as session:
        refusals = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "casework.refused"))
    assert refusals == 2


@pytest.mark.parametrize("said", ["report", "I want to report a colleague",
                                  "follow up R-2026-0001 1234 5678"])
def test_reports_and_follow_ups_are_never_taken_in_a_dm(slack: SlackHarness, said: str) -> None:
    slack.send.event(slack.payloads.direct_message(STAFF, said))
    offer = slack.api.wait_for("chat.postMessage")[0]
    assert "private form" in offer["text"]
    button = next(e for b in offer["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert button["action_id"] in {"probity_open_report", "probity_open_followup"}
    slack.send.interaction(slack.payloads.block_action(STAFF, button["action_id"],
                                                       button["value"]))
    slack.api.wait_for("views.open")
    with slack.store.session() as session:
        from bot.store.models import Conversation

        assert session.scalar(select(func.count()).select_from(Conversation)) == 0


def test_a_line_manager_is_told_when_the_route_needs_their_endorsement(
        slack: SlackHarness) -> None:
    declaration = file_gift_needing_endorsement(slack)
    assert declaration.approvers[0] == "line_manager"
    told = slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] == MANAGER)
    assert declaration.reference in told[0]["text"]
