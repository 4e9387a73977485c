"""Logs at DEBUG never hold report content, receipts, or who made an anonymous report.

Slack payloads carry the sender's user id on every request, and slack_sdk and Bolt log
request and response bodies at DEBUG, so this runs a whole anonymous report and follow-up
with every logger open and searches what was logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from slack_mock.harness import HANDLER, STAFF, SlackHarness
from test_slack_reports import REPORT_ANSWERS, _file_report, _reference_and_receipt

pytest_plugins = ["slack_mock.fixtures"]

LIBRARIES = ("slack_bolt", "slack_sdk", "urllib3", "websockets")


@pytest.fixture
def debug_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Everything at DEBUG, as an operator chasing a fault might set it, before the app starts."""
    caplog.set_level(logging.DEBUG)
    for name in LIBRARIES:
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


@pytest.fixture
def logged_slack(debug_logging: pytest.LogCaptureFixture, slack: SlackHarness) -> SlackHarness:
    return slack


def _text(value: str) -> dict:
    return {"value": {"type": "plain_text_input", "value": value}}


def test_an_anonymous_report_and_its_follow_up_leave_nothing_in_the_logs(
        logged_slack: SlackHarness, debug_logging: pytest.LogCaptureFixture) -> None:
    slack = logged_slack
    _, answer = _file_report(slack)
    reference, receipt = _reference_and_receipt(answer["view"])
    slack.run_report_batch()  # the next day's batch brings it to handlers
    handler = slack.services.reports.authorise(
        slack.services.people.speaker(slack.client, HANDLER), "read report")
    slack.services.reports.respond(handler, reference, message="Which firm is it?",
                                   question=True, status=None, outcome=None)

    slack.send.command(slack.payloads.slash_command(STAFF, "followup"))
    followup = slack.opened_view("probity_followup")
    thread = slack.send.interaction(slack.payloads.view_submission(
        STAFF, followup, {"reference": _text(reference), "receipt": _text(receipt)})).json()
    assert thread["response_action"] == "update"
    sent = slack.send.interaction(slack.payloads.view_submission(
        STAFF, thread["view"], {"message": _text("Northgate Investigations Ltd")})).json()
    assert sent["response_action"] == "update"

    logged = "\n".join(record.getMessage() for record in debug_logging.records)
    assert logged, "nothing was logged: the test would prove nothing"
    secrets = [STAFF, receipt, receipt.replace(" ", ""), "Northgate Investigations",
               "Which firm is it", *(value for value in REPORT_ANSWERS.values()
                                     if len(value) > 12)]
    leaked = [secret for secret in secrets if secret.lower() in logged.lower()]
    where = {record.name for record in debug_logging.records for secret in leaked
             if secret.lower() in record.getMessage().lower()}
    assert leaked == [], where

