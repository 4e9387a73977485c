"""Listeners: anonymous and confidential reports and their follow-up, in modals only.

The anonymous submission listener takes the `view` alone and passes on only its answers: the
Slack user, team, channel, view and trigger ids never reach the reporting service. Only when
the form says confidential does a separate listener, chosen by a matcher, read who sent it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.assistant import FormOutcome
from bot.messages import say
from bot.reporting import AccessRefused, ReportingError
from bot.reporting.sealing import SealingError
from bot.surfaces.slack import report_views
from bot.surfaces.slack.listeners.shared import Answer, answer_in_time
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
    recent = RecentReceipts()
    app.view(report_views.REPORT_CALLBACK, matchers=[_confidential_chosen])(
        _submit_confidential_report(services, recent))
    app.view(report_views.REPORT_CALLBACK)(_submit_report(services, recent))
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


#: How long a report's receipt may be shown again to the view that sent it: a reporter
#: whose first answer was lost (a dropped connection, Slack's 3 s passed) resubmits.
RESHOW_SECONDS = 600


class RecentReceipts:
    """Receipts just shown, by the form's random key, for RESHOW_SECONDS, in memory only.

    Slack resends nothing for a submission, so a reporter who saw an error resubmits the
    same form; the filing is idempotent on the form's key and says "already filed", and
    this lets the same view see its receipt again. A different view with the same key (a
    copied payload) is told only that the report was received.
    """

    def __init__(self, keep_seconds: float = RESHOW_SECONDS) -> None:
        self._keep = keep_seconds
        self._shown: dict[str, tuple[float, str, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def remember(self, key: str, view_id: str, view: dict[str, Any]) -> None:
        now = time.monotonic()
        with self._lock:
            self._shown = {k: v for k, v in self._shown.items() if v[0] > now}
            self._shown[key] = (now + self._keep, view_id, view)

    def again(self, key: str, view_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._shown.get(key)
        if found is None or found[0] <= time.monotonic() or not view_id or found[1] != view_id:
            return None
        return found[2]


def _outcome_answer(outcome: FormOutcome, fields: tuple[Any, ...], *, confidential: bool,
                    key: str, view_id: str, recent: RecentReceipts) -> Answer:
    if outcome.problems:
        names = {spec.name for spec in fields}
        shown = {name: text for name, text in outcome.problems.items() if name in names}
        return {"response_action": "errors", "errors": errors_for(
            shown or {"what_happened": next(iter(outcome.problems.values()))})}
    filed = next((reply for reply in outcome.replies if reply.kind == "filed"), None)
    if outcome.already_filed or filed is None or filed.secret is None:
        again = recent.again(key, view_id)
        return {"response_action": "update",
                "view": again or report_views.already_filed_view(outcome.reference or "")}
    receipt = report_views.receipt_view(outcome.reference or "", filed.secret,
                                        confidential=confidential)
    recent.remember(key, view_id, receipt)
    return {"response_action": "update", "view": receipt}


def _submit_report(services: SlackServices, recent: RecentReceipts) -> Callable[..., None]:
    definition = services.definitions.get("report")
    fields = report_views.report_fields(definition) if definition else ()

    def submit(ack: Ack, view: dict[str, Any], client: WebClient) -> None:
        # Deliberately not `body`: only the view's answers, its id (to update it) and the
        # form's own random key are read, and the form API is told nobody is speaking
        # (None), so no Slack identifier is in reach of the filing.
        if definition is None:
            ack(response_action="errors", errors={})
            return
        key = str(metadata_of(view).get("key"))

        def work() -> Answer:
            outcome = services.assistant.file_form(
                None, definition, _answers(view, definition, report_views.ANONYMOUS),
                idempotency_key=key)
            return _outcome_answer(outcome, fields, confidential=False, key=key,
                                   view_id=str(view.get("id") or ""), recent=recent)

        answer_in_time(ack, client, view, work)

    return submit


def _submit_confidential_report(services: SlackServices, recent: RecentReceipts
                                ) -> Callable[..., None]:
    definition = services.definitions.get("report")
    fields = report_views.report_fields(definition) if definition else ()
    offered = definition is not None and report_views.offers_confidential(definition)

    def submit(ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient
               ) -> None:
        if not offered or definition is None:  # a forged mode answer on a form without it
            ack(response_action="errors",
                errors=errors_for({"what_happened": say("slack.open_form_again")}))
            return
        key = str(metadata_of(view).get("key"))

        def work() -> Answer:
            # The reporter chose to be known to handlers: only now is the sender read.
            speaker = services.people.speaker(client, str(body["user"]["id"]))
            outcome = services.assistant.file_form(
                speaker, definition, _answers(view, definition, report_views.CONFIDENTIAL),
                idempotency_key=key)
            return _outcome_answer(outcome, fields, confidential=True, key=key,
                                   view_id=str(view.get("id") or ""), recent=recent)

        answer_in_time(ack, client, view, work)

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
