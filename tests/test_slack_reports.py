"""Anonymous reports in Slack, end to end: modal only, receipt shown once, no Slack id kept."""

from __future__ import annotations

import re

from slack_mock.harness import HANDLER, INTEGRITY_CHANNEL, OUTSIDER, STAFF, SlackHarness
from slack_mock.payloads import input_values
from slack_mock.rendering import mrkdwn_text, plain_text
from slack_mock.web_api import TEAM_ID
from sqlalchemy import func, select

from bot.jobs.builtin import build_registry
from bot.jobs.schedules import fire_now
from bot.jobs.worker import Worker
from bot.store.models import AuditEvent, utcnow
from bot.store.vault.models import Report
from bot.surfaces.slack.outbox import slack_jobs_plugin

pytest_plugins = ["slack_mock.fixtures"]

REPORT_ANSWERS = {
    "field:category": "corruption",
    "field:what_happened": "A sergeant is selling PNC checks <!channel> to a private firm.",
    "field:when_and_where": "Most weeks since March, at the north station",
    "field:raised_elsewhere": "no",
}


def _announce(slack: SlackHarness) -> int:
    """Run the announce-reports schedule as the worker in `probity serve` does; how many
    notices it posted to the integrity channel."""
    registry = build_registry(slack.services.settings, slack.store,
                              plugins=[slack_jobs_plugin(slack.store, slack.client)])
    announce = next(s for s in registry.schedules if s.name == "announce-reports")
    posts = len(slack.api.calls_to("chat.postMessage"))
    with slack.store.transaction() as session:
        fire_now(session, announce, utcnow())
    Worker(slack.store, registry).run_until_idle()
    return len(slack.api.calls_to("chat.postMessage")) - posts


def _file_report(slack: SlackHarness) -> tuple[dict, dict]:
    """Open the report modal with the slash command and submit it; returns (view, answer)."""
    response = slack.send.command(slack.payloads.slash_command(STAFF, "report"))
    assert response.status == 200
    view = slack.opened_view("probity_report")
    submission = slack.payloads.view_submission(STAFF, view, input_values(view, REPORT_ANSWERS))
    answer = slack.send.interaction(submission)
    assert answer.status == 200
    return submission, answer.json()


def _reference_and_receipt(final_view: dict) -> tuple[str, str]:
    text = " ".join(b["text"]["text"] for b in final_view["blocks"] if b["type"] == "section")
    reference = re.search(r"R-\d{4}-\d{4,}", text).group(0)
    receipt = re.search(r"\*Receipt:\* `([^`]+)`", text).group(1)
    return reference, receipt


def test_a_report_is_filed_from_a_modal_and_the_receipt_shown_only_there(
        slack: SlackHarness) -> None:
    submission, answer = _file_report(slack)

    assert answer["response_action"] == "update"
    reference, receipt = _reference_and_receipt(answer["view"])
    assert len(re.sub(r"\D", "", receipt)) >= 16
    # Never posted as a message, in a DM or anywhere else.
    for method in ("chat.postMessage", "chat.postEphemeral", "chat.update", "respond"):
        assert all(receipt not in str(call.args) for call in slack.api.calls_to(method))
    stored = slack.database_text()
    for slack_id in (STAFF, TEAM_ID, submission["view"]["id"], submission["trigger_id"],
                     "C0GENERAL", "sam patel"):
        assert slack_id.lower() not in stored.lower()
    assert receipt not in stored


def test_submitting_the_same_modal_twice_files_one_report(slack: SlackHarness) -> None:
    submission, first = _file_report(slack)
    again = slack.send.interaction(submission).json()
    # The same view, resubmitted because its first answer went missing, sees the same
    # reference and receipt again (tests/test_slack_ack.py: never to another view).
    assert _reference_and_receipt(again["view"]) == _reference_and_receipt(first["view"])
    slack.run_report_batch()
    with slack.store.session() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 1


def test_a_report_missing_what_happened_is_sent_back_with_the_answers_kept(
        slack: SlackHarness) -> None:
    slack.send.command(slack.payloads.slash_command(STAFF, "report"))
    view = slack.opened_view("probity_report")
    partial = {"field:category": "dishonesty"}
    answer = slack.send.interaction(
        slack.payloads.view_submission(STAFF, view, input_values(view, partial))).json()
    assert answer["response_action"] == "errors"
    assert "field:what_happened" in answer["errors"]


def test_the_unit_hears_of_a_report_by_reference_only_and_replies(slack: SlackHarness) -> None:
    _, answer = _file_report(slack)
    reference, receipt = _reference_and_receipt(answer["view"])
    # Nothing to announce until the next day's batch has brought it into the vault.
    assert _announce(slack) == 0
    slack.run_report_batch()
    assert _announce(slack) == 1
    notice = slack.api.calls_to("chat.postMessage")[-1]
    assert notice["channel"] == INTEGRITY_CHANNEL
    assert notice["text"].startswith(f"New report {reference} received, due for "
                                     "acknowledgement by ")
    assert "PNC" not in str(notice.args) and "corruption" not in str(notice.args)
    assert _announce(slack) == 0  # told once

    # A handler reads it in a modal and replies.
    read = slack.payloads.block_action(HANDLER, "probity_case_open", reference,
                                       channel=INTEGRITY_CHANNEL)
    assert slack.send.interaction(read).status == 200
    case = slack.opened_view("probity_case")
    assert "selling PNC checks" in str(case["blocks"])
    assert "<!channel>" not in mrkdwn_text(case["blocks"])  # shown in plain text only
    reply = slack.payloads.view_submission(HANDLER, case, input_values(case, {
        "message": "Thank you. Which firm is it?", "kind": "question",
        "status": "assessing"}))
    saved = slack.send.interaction(reply).json()
    assert saved["response_action"] == "update"
    assert "Which firm is it?" in str(saved["view"]["blocks"])

    # The reporter comes back with reference and receipt, sees the question, answers it.
    slack.send.command(slack.payloads.slash_command(STAFF, "followup"))
    followup = slack.opened_view("probity_followup")
    opened = slack.send.interaction(slack.payloads.view_submission(
        STAFF, followup, {"reference": {"value": {"type": "plain_text_input",
                                                  "value": reference.lower()}},
                          "receipt": {"value": {"type": "plain_text_input",
                                                "value": receipt}}})).json()
    assert opened["response_action"] == "update"
    thread = opened["view"]
    assert "Which firm is it?" in str(thread["blocks"]) and "assessing" in str(thread["blocks"])
    assert receipt not in thread["private_metadata"]  # sealed, not in clear
    sent = slack.send.interaction(slack.payloads.view_submission(
        STAFF, thread, {"message": {"value": {"type": "plain_text_input",
                                              "value": "Northgate Investigations Ltd"}}})).json()
    assert "Northgate Investigations Ltd" in str(sent["view"]["blocks"])
    assert STAFF not in slack.database_text()


def test_a_wrong_receipt_does_not_open_a_report(slack: SlackHarness) -> None:
    _, answer = _file_report(slack)
    reference, _ = _reference_and_receipt(answer["view"])
    slack.send.command(slack.payloads.slash_command(STAFF, "followup"))
    followup = slack.opened_view("probity_followup")
    refused = slack.send.interaction(slack.payloads.view_submission(
        STAFF, followup, {"reference": {"value": {"type": "plain_text_input",
                                                  "value": reference}},
                          "receipt": {"value": {"type": "plain_text_input",
                                                "value": "1111 2222 3333 4444 5555"}}})).json()
    assert refused["response_action"] == "errors" and "receipt" in refused["errors"]


def test_a_forged_read_report_action_from_a_non_handler_is_refused_and_audited(
        slack: SlackHarness) -> None:
    _, answer = _file_report(slack)
    reference, _ = _reference_and_receipt(answer["view"])
    forged = slack.payloads.block_action(OUTSIDER, "probity_case_open", reference,
                                         channel=INTEGRITY_CHANNEL)
    assert slack.send.interaction(forged).status == 200
    assert "recorded" in slack.refusal_seen(OUTSIDER)
    # Only the reporter's own modal, and the "working" one the press opened at once.
    assert [c["view"]["callback_id"] for c in slack.api.calls_to("views.open")[1:]] == [
        "probity_working"]
    with slack.store.session() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "report.access_refused" in actions


def test_the_report_form_asks_anonymous_or_confidential_with_anonymous_chosen(
        slack: SlackHarness) -> None:
    slack.send.command(slack.payloads.slash_command(STAFF, "report"))
    view = slack.opened_view("probity_report")
    mode = next(b for b in view["blocks"] if b.get("block_id") == "field:mode")
    assert {o["value"] for o in mode["element"]["options"]} == {"anonymous", "confidential"}
    assert mode["element"]["initial_option"]["value"] == "anonymous"
    assert "Anonymous:" in mode["hint"]["text"] and "Confidential:" in mode["hint"]["text"]


def test_an_anonymous_report_never_looks_up_who_sent_it(slack: SlackHarness) -> None:
    slack.send.command(slack.payloads.slash_command(STAFF, "report"))
    view = slack.opened_view("probity_report")
    before = len(slack.api.calls_to("users.info"))
    answers = {**REPORT_ANSWERS, "field:mode": "anonymous"}
    answer = slack.send.interaction(
        slack.payloads.view_submission(STAFF, view, input_values(view, answers))).json()
    assert answer["response_action"] == "update"
    assert len(slack.api.calls_to("users.info")) == before
    slack.run_report_batch()
    with slack.store.session() as session:
        assert session.scalars(select(Report.mode)).all() == ["anonymous"]
        assert session.scalars(select(Report.sealed_identity)).all() == [None]
    assert STAFF.lower() not in slack.database_text().lower()


def test_a_confidential_report_is_sealed_and_shows_its_reporter_to_a_handler(
        slack: SlackHarness) -> None:
    slack.send.command(slack.payloads.slash_command(STAFF, "report"))
    view = slack.opened_view("probity_report")
    answers = {**REPORT_ANSWERS, "field:mode": "confidential"}
    answer = slack.send.interaction(
        slack.payloads.view_submission(STAFF, view, input_values(view, answers))).json()
    assert answer["response_action"] == "update"
    reference, receipt = _reference_and_receipt(answer["view"])
    assert "Only the integrity unit's handlers" in str(answer["view"]["blocks"])

    # Stored sealed: neither the Slack id nor the name is in clear in any table.
    stored = slack.database_text().lower()
    assert STAFF.lower() not in stored and "sam patel" not in stored
    assert receipt not in stored
    slack.run_report_batch()
    stored = slack.database_text().lower()
    assert STAFF.lower() not in stored and "sam patel" not in stored
    with slack.store.session() as session:
        report = session.scalars(select(Report)).one()
        assert report.mode == "confidential" and report.sealed_identity

    # A handler reading it sees who sent it, through the service and in the case modal.
    handler = slack.services.reports.authorise(slack.services.people.speaker(
        slack.client, HANDLER), "read report")
    assert handler is not None
    identity = slack.services.reports.read(handler, reference).identity
    assert identity is not None
    assert (identity.surface_id, identity.display_name) == (STAFF, "Sam Patel")
    read = slack.payloads.block_action(HANDLER, "probity_case_open", reference,
                                       channel=INTEGRITY_CHANNEL)
    assert slack.send.interaction(read).status == 200
    case = slack.opened_view("probity_case")
    assert "*Reporter (confidential):*" in mrkdwn_text(case["blocks"])
    assert "Sam Patel" in plain_text(case["blocks"])
