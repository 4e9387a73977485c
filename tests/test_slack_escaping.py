"""What people type is shown, never obeyed: no @channel, no disguised link, in any message,
card, modal or App Home Probity sends, nor in the plain-text fallback beside them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_mock.harness import HANDLER, INTEGRITY_CHANNEL, STAFF, SlackHarness
from slack_mock.payloads import input_values
from slack_mock.rendering import mrkdwn_text, plain_text, texts_of
from test_slack_answers import _answer, _press_answer
from test_slack_commands import _ask_for_information
from test_slack_conversations import _card, _press_on_card, answers_for, declare_by_modal
from test_slack_reports import REPORT_ANSWERS, _reference_and_receipt

pytest_plugins = ["slack_mock.fixtures"]

HOSTILE = "<!channel> *bold* <https://evil|click>"
OBEYED = ("<!channel>", "<https://evil", "<!here>")


def _mrkdwn(value: Any) -> Iterator[str]:
    """Every text Slack would parse as mrkdwn inside a call's arguments or a view."""
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            yield value["text"]
        for inner in value.values():
            yield from _mrkdwn(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _mrkdwn(inner)


def _obeyed(texts: Iterator[str]) -> list[str]:
    return [text for text in texts if any(bad in text for bad in OBEYED)]


def _all_sent(slack: SlackHarness) -> list[str]:
    texts: list[str] = []
    for call in list(slack.api.calls):
        texts += list(_mrkdwn(call.args))
        if isinstance(call.args.get("text"), str) and call.method != "respond" or (
                call.method == "respond" and call.args.get("blocks")):
            texts.append(call.args.get("text", ""))
    return texts


def _text(value: str) -> dict:
    return {"value": {"type": "plain_text_input", "value": value}}


def test_typed_text_is_escaped_on_every_surface(slack: SlackHarness) -> None:
    # A declaration whose every free-text answer is hostile, made in a modal.
    answers = answers_for(slack, "gift_hospitality")
    definition = slack.services.definitions["gift_hospitality"]
    for spec in definition.fields:
        if spec.type in {"text", "long_text", "organisation"}:
            answers[spec.name] = f"Tickets {HOSTILE}"
    assert declare_by_modal(slack, "gift", answers)["response_action"] == "update"
    card = _card(slack)
    assert HOSTILE in plain_text(card["blocks"])  # the card shows it, as plain text

    # The unit asks, the declarant answers, the unit decides: all with hostile text.
    _ask_for_information(slack, HANDLER, card)
    asked = slack.opened_view("probity_ask_declarant")
    slack.send.interaction(slack.payloads.view_submission(HANDLER, asked,
                                                          {"question": _text(HOSTILE)}))
    dm = slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] == STAFF and
                            "more information" in c["text"])[-1]
    _press_answer(slack, STAFF, {"ts": "1770000000.000300", "text": dm["text"],
                                 "blocks": dm["blocks"], "channel": f"D{STAFF[1:]}"})
    slack.send.interaction(slack.payloads.view_submission(
        STAFF, slack.opened_view("probity_answer_request"), _answer(HOSTILE)))
    slack.api.wait_for("chat.postMessage", where=lambda c: "answered" in c["text"])
    _press_on_card(slack, HANDLER, card, "probity_decide:", "approved")
    decide = slack.opened_view("probity_decide")
    slack.send.interaction(slack.payloads.view_submission(HANDLER, decide,
                                                          {"rationale": _text(HOSTILE)}))
    slack.api.wait_for("chat.update", where=lambda c: c["channel"] == INTEGRITY_CHANNEL)

    # A question typed in a DM, "my declarations" and App Home.
    slack.send.event(slack.payloads.direct_message(STAFF, f"Can I keep {HOSTILE}?"))
    slack.send.command(slack.payloads.slash_command(STAFF, "mine"))
    slack.send.event(slack.payloads.app_home_opened(STAFF))
    slack.api.wait_for("views.publish")
    slack.api.wait_for("respond")

    sent = _all_sent(slack)
    assert any("&lt;!channel&gt;" in text for text in sent)
    assert _obeyed(iter(sent)) == []


def test_a_report_and_its_follow_up_show_typed_text_escaped(slack: SlackHarness) -> None:
    slack.send.command(slack.payloads.slash_command(STAFF, "report"))
    view = slack.opened_view("probity_report")
    answers = {**REPORT_ANSWERS, "field:what_happened": f"Selling PNC checks {HOSTILE}"}
    filed = slack.send.interaction(slack.payloads.view_submission(
        STAFF, view, input_values(view, answers))).json()
    reference, receipt = _reference_and_receipt(filed["view"])
    slack.run_report_batch()  # the next day's batch brings it to handlers
    handler = slack.services.reports.authorise(
        slack.services.people.speaker(slack.client, HANDLER), "read report")
    case = slack.services.reports.respond(handler, reference, message=f"Which? {HOSTILE}",
                                          question=True, status=None, outcome=None)
    assert case is not None
    slack.send.command(slack.payloads.slash_command(STAFF, "followup"))
    thread = slack.send.interaction(slack.payloads.view_submission(
        STAFF, slack.opened_view("probity_followup"),
        {"reference": _text(reference), "receipt": _text(receipt)})).json()["view"]
    sent = slack.send.interaction(slack.payloads.view_submission(
        STAFF, thread, {"message": _text(f"Answer {HOSTILE}")})).json()["view"]
    read = slack.payloads.block_action(HANDLER, "probity_case_open", reference,
                                       channel=INTEGRITY_CHANNEL)
    slack.send.interaction(read)
    views = [thread, sent, slack.opened_view("probity_case")]
    # Shown as written (plain text) in all three views, and nowhere in mrkdwn.
    assert all(HOSTILE in plain_text(view) for view in views)
    assert _obeyed(iter([mrkdwn_text(view) for view in views])) == []


IMITATION = "*Route:* none"


@pytest.mark.parametrize("workflow,word", [("gift_hospitality", "gift"),
                                           ("business_interest", "interest")])
def test_typed_text_cannot_imitate_the_cards_own_lines(slack: SlackHarness, workflow: str,
                                                       word: str) -> None:
    # Slack has no escape for * _ ~ or backticks: typed text shown in mrkdwn could add a
    # bold "Route:" line to the unit's card. It must only ever be shown as plain text.
    answers = answers_for(slack, workflow)
    for spec in slack.services.definitions[workflow].fields:
        if spec.type in {"text", "long_text", "organisation"}:
            answers[spec.name] = IMITATION
    filed = declare_by_modal(slack, word, answers)
    assert filed["response_action"] == "update"
    card = _card(slack)
    slack.send.command(slack.payloads.slash_command(STAFF, "mine"))
    slack.send.event(slack.payloads.app_home_opened(STAFF))
    slack.api.wait_for("views.publish")
    slack.api.wait_for("respond")

    shown = [filed["view"], card["blocks"],
             *[call.args.get("blocks") or call.args.get("view") for call in slack.api.calls]]
    assert IMITATION in plain_text(card["blocks"])
    assert IMITATION in plain_text(filed["view"])  # the filed form's rows
    assert sum(IMITATION in plain_text(item) for item in shown) >= 5
    assert not [text for text in texts_of(shown, "mrkdwn") if IMITATION in text]
