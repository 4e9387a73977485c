"""The modals of reporting: the form (anonymous or confidential), receipt, follow-up, thread.

Only modals: a report never appears in a DM or a channel, because workspace admins can
export message history but not the contents of a closed modal.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from bot.messages import say
from bot.reporting import ReporterView, ThreadEntry
from bot.reporting.records import HandlerView
from bot.surfaces.slack.blocks import (
    BLOCKS_PER_MODAL,
    context,
    header,
    labelled,
    modal,
    plain_sections,
    section,
)
from bot.surfaces.slack.escaping import escape_mrkdwn
from bot.surfaces.slack.modals import fields_modal, text_input
from bot.workflows.definitions import FieldSpec, WorkflowDefinition

REPORT_CALLBACK = "probity_report"
FOLLOWUP_CALLBACK = "probity_followup"
THREAD_CALLBACK = "probity_followup_thread"
REFERENCE_BLOCK = "reference"
RECEIPT_BLOCK = "receipt"
MESSAGE_BLOCK = "message"
MODE_FIELD = "mode"
ANONYMOUS = "anonymous"
CONFIDENTIAL = "confidential"
# Labels the sealer binds a sealed receipt to, so it cannot be replayed as anything else.
_RECEIPT_PURPOSE = "slack/followup-receipt"


def report_fields(definition: WorkflowDefinition) -> tuple[FieldSpec, ...]:
    """The report form's questions, from workflows/report.yaml, the mode question last.

    A report workflow without a mode field files anonymously only, as the chat does.
    """
    content = tuple(spec for spec in definition.fields if spec.name != MODE_FIELD)
    mode = next((spec for spec in definition.fields if spec.name == MODE_FIELD), None)
    if mode is None:
        return content
    # Slack's own wording for the mode question: the workflow's help speaks of moving to
    # confidential later, which only the chat follow-up offers; this says what Slack keeps.
    return (*content, replace(mode, help=say("slack.report_mode_help"), required=True))


def offers_confidential(definition: WorkflowDefinition) -> bool:
    return any(spec.name == MODE_FIELD for spec in report_fields(definition))


def chose_confidential(answers: dict[str, Any]) -> bool:
    return answers.get(MODE_FIELD) == CONFIDENTIAL


def report_form(definition: WorkflowDefinition | None) -> dict[str, Any]:
    """The report modal, carrying a fresh random key so a repeated submission files once.

    Its questions come only from the report workflow; without one, it says so.
    """
    if definition is None:
        return modal(say("slack.reporting_unavailable_title"),
                     [section(say("slack.reporting_unavailable"))],
                     callback_id="probity_report_unavailable", submit=None, close="Close")
    # The workflow's own introduction speaks of a conversation, so the form has its own.
    if offers_confidential(definition):
        intro = [say("slack.report_intro_choice")]
    else:
        intro = [say("slack.report_intro_anonymous")]
    title = definition.title
    return fields_modal(title, report_fields(definition), callback_id=REPORT_CALLBACK,
                        metadata={"key": secrets.token_urlsafe(24)}, intro=intro,
                        submit=say("slack.report_submit"), initial={MODE_FIELD: ANONYMOUS})


def receipt_view(reference: str, receipt: str, *, confidential: bool = False
                 ) -> dict[str, Any]:
    """The final view: shown once, in the modal only, never posted as a message."""
    who = say("slack.receipt_who_confidential" if confidential
              else "slack.receipt_who_anonymous")
    return modal(say("slack.receipt_title"), [
        header(say("slack.receipt_header")),
        section(f"*Reference:* `{escape_mrkdwn(reference)}`\n*Receipt:* "
                f"`{escape_mrkdwn(str(receipt))}`", escape=False),
        section(say("slack.receipt_once", who=who)),
    ], callback_id="probity_receipt", submit=None, close=say("slack.done"))


def already_filed_view(reference: str) -> dict[str, Any]:
    return modal(say("slack.receipt_title"), [
        section(say("slack.already_received", reference=escape_mrkdwn(reference)),
                escape=False),
    ], callback_id="probity_receipt", submit=None, close=say("slack.done"))


def followup_form() -> dict[str, Any]:
    return modal(say("slack.followup_title"), [
        section(say("slack.followup_intro")),
        text_input(REFERENCE_BLOCK, say("slack.followup_reference"),
                   hint=say("slack.followup_reference_hint"), max_length=40),
        text_input(RECEIPT_BLOCK, say("slack.followup_receipt"), max_length=80),
    ], callback_id=FOLLOWUP_CALLBACK, submit=say("slack.followup_open"))


def seal_receipt(sealer: Any, receipt: str) -> str:
    """The receipt encrypted under Probity's key, so Slack only ever holds ciphertext."""
    return base64.urlsafe_b64encode(sealer.seal(receipt, _RECEIPT_PURPOSE)).decode()


def unseal_receipt(sealer: Any, sealed: str) -> str:
    return str(sealer.open(base64.urlsafe_b64decode(sealed.encode()), _RECEIPT_PURPOSE))


def thread_view(view: ReporterView, sealed_receipt: str, note: str | None = None
                ) -> dict[str, Any]:
    """The reporter's view of their report, with a box to add information or answer."""
    blocks: list[dict[str, Any]] = []
    if note:
        blocks.append(context(note))
    blocks.append(section(
        f"*{escape_mrkdwn(view.reference)}*: {escape_mrkdwn(view.category)}, status "
        f"*{escape_mrkdwn(view.status)}* (received {view.received_on:%-d %B %Y})", escape=False))
    blocks += _typed(say("slack.thread_what_you_reported"), view.content.what_happened)
    tail: list[dict[str, Any]] = []
    if view.outcome:
        tail += _typed(say("slack.thread_outcome"), view.outcome)
    submit: str | None = None
    if not view.closed:
        label = say("slack.thread_answer_question" if view.open_questions
                    else "slack.thread_add_information")
        tail.append(text_input(MESSAGE_BLOCK, label, multiline=True, optional=True))
        submit = say("slack.thread_send")
    blocks = _with_thread(blocks, view.thread, tail)
    return modal(say("slack.thread_title"), blocks, callback_id=THREAD_CALLBACK, submit=submit,
                 close=say("slack.close"), private_metadata=json.dumps(
                     {"ref": view.reference, "receipt": sealed_receipt}))


def _typed(label: str, value: str) -> list[dict[str, Any]]:
    """A label in mrkdwn over what someone typed, in plain text: Slack has no escape for
    * _ ~ or backticks, so typed text in mrkdwn could pass for Probity's own labels."""
    return [section(f"*{label}:*", escape=False), *plain_sections(value)]


def _entry_blocks(entry: ThreadEntry) -> list[dict[str, Any]]:
    label = {"question": "asked", "answer": "answered", "status": "update"}.get(
        entry.kind, "wrote")
    return [context(f"{entry.author} {label}, {entry.on:%-d %B %Y}"),
            *plain_sections(entry.text)]


def _with_thread(head: list[dict[str, Any]], thread: Iterable[ThreadEntry],
                 tail: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """head, the thread, tail: within a modal's 100 blocks by leaving out the oldest
    messages (the newest are what a reader came back for), saying how many."""
    entries = [_entry_blocks(entry) for entry in thread]
    if not entries:
        return [*head, context(say("slack.thread_no_messages")), *tail]
    room = BLOCKS_PER_MODAL - len(head) - len(tail)
    kept: list[list[dict[str, Any]]] = []
    used = 0
    for entry in reversed(entries):
        spare = 0 if len(kept) == len(entries) - 1 else 1  # for the "earlier" line
        if used + len(entry) > room - spare:
            break
        kept.insert(0, entry)
        used += len(entry)
    shown = [block for entry in kept for block in entry]
    if len(kept) < len(entries):
        earlier = len(entries) - len(kept)
        shown.insert(0, context(say("slack.thread_earlier_one") if earlier == 1
                                else say("slack.thread_earlier_many", count=earlier)))
    return [*head, *shown, *tail]


CASE_CALLBACK = "probity_case"
CASE_MESSAGE = "message"
CASE_KIND = "kind"
CASE_STATUS = "status"
CASE_OUTCOME = "outcome"


def case_view(view: HandlerView, statuses: Iterable[str], note: str | None = None
              ) -> dict[str, Any]:
    """A handler's modal for one report: content, thread, and reply or status change."""
    from bot.surfaces.slack.modals import select_input

    summary = view.summary
    blocks: list[dict[str, Any]] = []
    if note:
        blocks.append(context(note))
    blocks.append(section(
        f"*{escape_mrkdwn(summary.reference)}* ({escape_mrkdwn(summary.mode)}): "
        f"{escape_mrkdwn(summary.category)}, status *{escape_mrkdwn(summary.status)}*\nReceived "
        f"{summary.received_on:%-d %B %Y}; acknowledge by {summary.acknowledge_due:%-d %B %Y}; "
        f"feedback by {summary.feedback_due:%-d %B %Y}", escape=False))
    content = view.content
    for label, value in ((say("slack.case_what_happened"), content.what_happened),
                         (say("slack.case_when_and_where"), content.when_and_where),
                         (say("slack.case_who_is_involved"), content.who_is_involved),
                         (say("slack.case_evidence"), content.evidence),
                         (say("slack.case_raised_elsewhere"), content.raised_elsewhere)):
        if value:
            blocks += _typed(label, value)
    if view.identity is not None:
        blocks.append(labelled("*Reporter (confidential):*", view.identity.display_name))
    tail: list[dict[str, Any]] = []
    if view.outcome:
        tail += _typed(say("slack.thread_outcome"), view.outcome)
    submit: str | None = None
    if summary.status != "closed":
        tail.append(text_input(CASE_MESSAGE, say("slack.case_message"), multiline=True,
                               optional=True))
        tail.append(select_input(CASE_KIND, say("slack.case_send_as"),
                                 [("message", say("slack.case_as_message")),
                                  ("question", say("slack.case_as_question"))],
                                 optional=True, initial="message"))
        tail.append(select_input(CASE_STATUS, say("slack.case_change_status"),
                                 [(s, s) for s in statuses if s != summary.status],
                                 optional=True))
        tail.append(text_input(CASE_OUTCOME, say("slack.case_outcome"),
                               multiline=True, optional=True))
        submit = say("slack.case_save")
    blocks = _with_thread(blocks, view.thread, tail)
    return modal(summary.reference, blocks, callback_id=CASE_CALLBACK, submit=submit,
                 close=say("slack.close"), private_metadata=json.dumps({"ref": summary.reference}))
