"""A line manager endorses a declaration from the DM Probity sends them, end to end."""

from __future__ import annotations

import json
import time

import pytest
from slack_mock.harness import INTEGRITY_CHANNEL, MANAGER, OUTSIDER, STAFF, SlackHarness
from slack_mock.rendering import mrkdwn_text
from sqlalchemy import func, select
from test_slack_conversations import _declarations, file_gift_needing_endorsement

from bot.store.models import AuditEvent, Decision

pytest_plugins = ["slack_mock.fixtures"]


@pytest.fixture
def request_to_manager(slack: SlackHarness) -> dict:
    """A gift whose route needs the line manager, filed; returns the manager's DM."""
    declaration = file_gift_needing_endorsement(slack)
    assert "line_manager" in declaration.approvers
    [dm] = slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] == MANAGER)
    assert declaration.reference in dm["text"]
    return {"ts": "1770000000.000200", "text": dm["text"], "blocks": dm["blocks"],
            "channel": f"D{MANAGER[1:]}"}


def _press(slack: SlackHarness, user: str, dm: dict, which: str) -> None:
    button = next(e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == f"probity_endorse:{which}")
    slack.send.interaction(slack.payloads.block_action(
        user, button["action_id"], button["value"], channel=dm["channel"], message=dm))


def _rationale(text: str) -> dict:
    return {"rationale": {"value": {"type": "plain_text_input", "value": text}}}


def _endorsements(slack: SlackHarness) -> list[tuple[str, str, str]]:
    with slack.store.session() as session:
        return [(d.stage, d.outcome, d.rationale) for d in session.scalars(select(Decision))]


def _refusals(slack: SlackHarness) -> int:
    with slack.store.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "casework.refused"))


@pytest.mark.parametrize(("which", "outcome"), [("yes", "endorsed"), ("no", "not_endorsed")])
def test_the_line_manager_endorses_or_not_with_reasons(
        slack: SlackHarness, request_to_manager: dict, which: str, outcome: str) -> None:
    _press(slack, MANAGER, request_to_manager, which)
    modal = slack.opened_view("probity_endorse")
    answer = slack.send.interaction(slack.payloads.view_submission(
        MANAGER, modal, _rationale("Known <!channel> club; fine by me.")))
    assert answer.status == 200 and not answer.text

    assert _endorsements(slack) == [("endorsement", outcome, "Known <!channel> club; fine by me.")]
    [declaration] = _declarations(slack)
    assert declaration.status == "submitted"  # the integrity unit still decides
    # The DM's buttons are replaced by what was done, and the unit is told.
    updated = slack.api.wait_for("chat.update")[-1]
    assert updated["ts"] == request_to_manager["ts"]
    assert "actions" not in json.dumps([b["type"] for b in updated["blocks"]])
    told = slack.api.wait_for("chat.postMessage", where=lambda c: c["channel"] ==
                              INTEGRITY_CHANNEL and "line manager" in c["text"])[-1]
    assert declaration.reference in told["text"] and "Morgan Reid" in told["text"]
    assert "<!channel>" not in mrkdwn_text(told["blocks"])
    with slack.store.session() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "declaration.endorsed" in actions


@pytest.mark.parametrize("forger", [OUTSIDER, STAFF])
def test_a_forged_endorsement_is_refused_and_audited(
        slack: SlackHarness, request_to_manager: dict, forger: str) -> None:
    _press(slack, forger, request_to_manager, "yes")
    assert "recorded" in slack.refusal_seen(forger)
    assert not [c for c in slack.api.calls_to("views.open")
                if c["view"]["callback_id"] == "probity_endorse"]

    # A hand-made submission of the modal is refused on the server too.
    reference = _declarations(slack)[0].reference
    forged = {"id": "V0FORGED", "type": "modal", "callback_id": "probity_endorse",
              "blocks": [], "private_metadata": json.dumps({"ref": reference,
                                                            "endorsed": True})}
    answer = slack.send.interaction(slack.payloads.view_submission(
        forger, forged, _rationale("Endorsing my own."))).json()
    assert answer["response_action"] == "errors"
    assert _endorsements(slack) == []
    assert _refusals(slack) == 2


def test_a_blank_reason_is_sent_back(slack: SlackHarness, request_to_manager: dict) -> None:
    _press(slack, MANAGER, request_to_manager, "yes")
    modal = slack.opened_view("probity_endorse")
    answer = slack.send.interaction(slack.payloads.view_submission(
        MANAGER, modal, _rationale("   "))).json()
    assert answer["response_action"] == "errors" and "Say why" in answer["errors"]["rationale"]
    assert _endorsements(slack) == []


def test_a_button_opens_its_modal_before_a_slow_users_info(
        slack: SlackHarness, request_to_manager: dict) -> None:
    # Someone Probity has never seen presses the button while the directory takes 3.5 s:
    # the trigger_id expires 3 s after the click, so the modal opens first ("working") and
    # the refusal replaces it once users.info has answered.
    slack.api.slow["users.info"] = 3.5
    slack.services.people.forget(OUTSIDER)
    pressed = time.monotonic()
    _press(slack, OUTSIDER, request_to_manager, "yes")
    slack.api.wait_for("views.open", where=lambda c: c["view"]["callback_id"] ==
                       "probity_working")
    assert time.monotonic() - pressed < 2.5
    [updated] = slack.api.wait_for("views.update", timeout=15, where=lambda c: c["view"][
        "callback_id"] == "probity_refused")
    assert "line manager" in json.dumps(updated["view"])
    assert _refusals(slack) == 1 and _endorsements(slack) == []


def test_a_known_person_gets_the_modal_without_asking_slack(
        slack: SlackHarness, request_to_manager: dict) -> None:
    slack.api.slow["users.info"] = 3.5
    slack.services.people.forget(MANAGER)
    asked = len(slack.api.calls_to("users.info"))
    _press(slack, MANAGER, request_to_manager, "yes")
    assert slack.opened_view("probity_endorse")
    assert len(slack.api.calls_to("users.info")) == asked
