"""Listeners: anonymous and confidential reports and their follow-up, in modals only.

The anonymous submission listener takes the `view` alone and passes on only its answers: the
Slack user, team, channel, view and trigger ids never reach the reporting service. Only when
the form says confidential does a separate listener, chosen by a matcher, read who sent it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.assistant import FormOutcome
from bot.messages import say
from bot.reporting import AccessRefused, ReportingError
from bot.reporting.sealing import SealingError
from bot.surfaces.slack import report_views
from bot.surfaces.slack.modals import errors_for, metadata_of, plain_values, submitted_values
from bot.surfaces.slack.services import SlackServices
from bot.workflows.definitions import WorkflowDefinition

log = logging.getLogger(__name__)

OPEN_REPORT = "probity_open_report"
OPEN_FOLLOWUP = "probity_open_followup"


def register(app: App, services: SlackServices) -> None:
    def open_report(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"],
                          view=report_views.report_form(services.definitions.get("report")))

    def open_followup(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=report_views.followup_form())

    app.action(OPEN_REPORT)(open_report)
    app.shortcut("probity_report")(open_report)
    app.action(OPEN_FOLLOWUP)(open_followup)
    app.shortcut("probity_followup")(open_followup)
    # Bolt runs the first listener that matches, so a confidential submission never reaches
    # the anonymous one, and the anonymous one keeps its `view`-only signature.
    app.view(report_views.REPORT_CALLBACK, matchers=[_confidential_chosen])(
        _submit_confidential_report(services))
    app.view(report_views.REPORT_CALLBACK)(_submit_report(services))
    app.view(report_views.FOLLOWUP_CALLBACK)(_open_thread(services))
    app.view(report_views.THREAD_CALLBACK)(_add_to_thread(services))


def open_report_modal(services: SlackServices, client: WebClient, trigger_id: str) -> None:
    """Used by the slash command and App Home as well as the shortcut."""
    client.views_open(trigger_id=trigger_id,
                      view=report_views.report_form(services.definitions.get("report")))


def open_followup_modal(client: WebClient, trigger_id: str) -> None:
    client.views_open(trigger_id=trigger_id, view=report_views.followup_form())


def _confidential_chosen(view: dict[str, Any]) -> bool:
    return report_views.chose_confidential(submitted_values(view["state"]["values"]))


def _answers(view: dict[str, Any], definition: WorkflowDefinition, mode: str
             ) -> dict[str, Any]:
    """The form's answers as the form API reads them, with the mode this listener files."""
    answers = submitted_values(view["state"]["values"])
    if any(spec.name == report_views.MODE_FIELD for spec in definition.fields):
        # No mode answer means anonymous, the safe default, so it is never sent back for one.
        answers[report_views.MODE_FIELD] = mode
    return answers


def _show_outcome(ack: Ack, outcome: FormOutcome, fields: tuple[Any, ...], *,
                  confidential: bool) -> None:
    if outcome.problems:
        names = {spec.name for spec in fields}
        shown = {name: text for name, text in outcome.problems.items() if name in names}
        ack(response_action="errors",
            errors=errors_for(shown or {"what_happened": next(iter(outcome.problems.values()))}))
        return
    filed = next((reply for reply in outcome.replies if reply.kind == "filed"), None)
    if outcome.already_filed or filed is None or filed.secret is None:
        ack(response_action="update",
            view=report_views.already_filed_view(outcome.reference or ""))
        return
    ack(response_action="update", view=report_views.receipt_view(
        outcome.reference or "", filed.secret, confidential=confidential))


def _submit_report(services: SlackServices) -> Callable[..., None]:
    definition = services.definitions.get("report")
    fields = report_views.report_fields(definition) if definition else ()

    def submit(ack: Ack, view: dict[str, Any]) -> None:
        # Deliberately not `body`: only the view's answers and the form's own random key
        # are read, and the form API is told nobody is speaking (None), so no Slack
        # identifier is in reach of the filing.
        if definition is None:
            ack(response_action="errors", errors={})
            return
        key = metadata_of(view).get("key")
        outcome = services.assistant.file_form(
            None, definition, _answers(view, definition, report_views.ANONYMOUS),
            idempotency_key=str(key))
        _show_outcome(ack, outcome, fields, confidential=False)

    return submit


def _submit_confidential_report(services: SlackServices) -> Callable[..., None]:
    definition = services.definitions.get("report")
    fields = report_views.report_fields(definition) if definition else ()
    offered = definition is not None and report_views.offers_confidential(definition)

    def submit(ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient
               ) -> None:
        if not offered or definition is None:  # a forged mode answer on a form without it
            ack(response_action="errors",
                errors=errors_for({"what_happened": say("slack.open_form_again")}))
            return
        # The reporter chose to be known to handlers: only now is the sender read.
        speaker = services.people.speaker(client, str(body["user"]["id"]))
        key = metadata_of(view).get("key")
        outcome = services.assistant.file_form(
            speaker, definition, _answers(view, definition, report_views.CONFIDENTIAL),
            idempotency_key=str(key))
        _show_outcome(ack, outcome, fields, confidential=True)

    return submit


def _open_thread(services: SlackServices) -> Callable[..., None]:
    def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = plain_values(view["state"]["values"])
        reference = values.get(report_views.REFERENCE_BLOCK, "")
        receipt = values.get(report_views.RECEIPT_BLOCK, "")
        # Guessing is limited per Slack user (a salted hash, in memory), never per report.
        opened = services.reports.open(reference, receipt, sender_id=str(body["user"]["id"]))
        if isinstance(opened, AccessRefused):
            ack(response_action="errors",
                errors={report_views.RECEIPT_BLOCK: _refusal_text(opened)})
            return
        sealed = report_views.seal_receipt(services.reports.context.sealer, receipt)
        ack(response_action="update", view=report_views.thread_view(opened, sealed))

    return submit


def _add_to_thread(services: SlackServices) -> Callable[..., None]:
    def submit(ack: Ack, view: dict[str, Any]) -> None:
        meta = metadata_of(view)
        text = plain_values(view["state"]["values"]).get(report_views.MESSAGE_BLOCK)
        try:
            receipt = report_views.unseal_receipt(services.reports.context.sealer,
                                                  str(meta.get("receipt", "")))
        except (SealingError, ValueError):  # tampered or foreign private_metadata
            ack(response_action="errors",
                errors={report_views.MESSAGE_BLOCK: say("slack.open_report_again")})
            return
        reference = str(meta.get("ref", ""))
        current = services.reports.open(reference, receipt)
        if isinstance(current, AccessRefused):
            ack(response_action="errors",
                errors={report_views.MESSAGE_BLOCK: _refusal_text(current)})
            return
        if not text:
            ack()
            return
        try:
            updated = services.reports.add_message(reference, receipt, text,
                                                   answering=current.open_questions > 0)
        except ReportingError as problem:  # ReportClosed and friends: safe to show
            ack(response_action="errors", errors={report_views.MESSAGE_BLOCK: str(problem)})
            return
        if isinstance(updated, AccessRefused):
            ack(response_action="errors",
                errors={report_views.MESSAGE_BLOCK: _refusal_text(updated)})
            return
        ack(response_action="update",
            view=report_views.thread_view(updated, str(meta["receipt"]),
                                          note=say("slack.followup_sent")))

    return submit


def _refusal_text(refused: AccessRefused) -> str:
    if refused.throttled:
        minutes = max(1, int(refused.retry_after.total_seconds() // 60) + 1)
        return say("slack.too_many_attempts", minutes=minutes)
    return say("slack.no_such_report")
