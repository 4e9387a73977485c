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


# Slack's own wording for the mode question: the workflow's help speaks of moving to
# confidential later, which only the chat follow-up offers, and this says what Slack keeps.
_MODE_HELP = (
    "Anonymous: Probity keeps nothing that links you to the report, not your Slack name or "
    "id; nobody can contact you, and you check back with the reference and receipt. "
    "Confidential: Probity keeps your Slack name and id with the report, sealed, and only "
    "the integrity unit's handlers can see them, so they can contact, support and protect you."
)
def report_fields(definition: WorkflowDefinition) -> tuple[FieldSpec, ...]:
    """The report form's questions, from workflows/report.yaml, the mode question last.

    A report workflow without a mode field files anonymously only, as the chat does.
    """
    content = tuple(spec for spec in definition.fields if spec.name != MODE_FIELD)
    mode = next((spec for spec in definition.fields if spec.name == MODE_FIELD), None)
    if mode is None:
        return content
    return (*content, replace(mode, help=_MODE_HELP, required=True))


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
        intro = [
            "Choose at the end whether this report is anonymous (the default) or "
            "confidential. After you submit you get a reference and a receipt; with both "
            "you can come back to read replies and answer questions.",
        ]
    else:
        intro = [
            "This report is anonymous: Probity does not keep your Slack name or id with it, "
            "and nobody can contact you. After you submit you get a reference and a receipt; "
            "with both you can come back to read replies and answer questions.",
        ]
    title = definition.title
    return fields_modal(title, report_fields(definition), callback_id=REPORT_CALLBACK,
                        metadata={"key": secrets.token_urlsafe(24)}, intro=intro,
                        submit="Send report", initial={MODE_FIELD: ANONYMOUS})


def receipt_view(reference: str, receipt: str, *, confidential: bool = False
                 ) -> dict[str, Any]:
    """The final view: shown once, in the modal only, never posted as a message."""
    who = ("Only the integrity unit's handlers can see who sent this report." if confidential
           else "Nobody, the integrity unit included, can tell who sent this report.")
    return modal("Report received", [
        header("Write these down now"),
        section(f"*Reference:* `{escape_mrkdwn(reference)}`\n*Receipt:* "
                f"`{escape_mrkdwn(str(receipt))}`", escape=False),
        section(f"This is the only time the receipt is shown, and nobody can recover it. {who} "
                "To read replies or add information later, use `/integrity followup` with "
                "both."),
    ], callback_id="probity_receipt", submit=None, close="Done")


def already_filed_view(reference: str) -> dict[str, Any]:
    return modal("Report received", [
        section(f"This report was already received as *{escape_mrkdwn(reference)}*. Its "
                "receipt was shown when it was first sent.", escape=False),
    ], callback_id="probity_receipt", submit=None, close="Done")


def followup_form() -> dict[str, Any]:
    return modal("Follow up a report", [
        section("Enter the reference and receipt you were given when you reported."),
        text_input(REFERENCE_BLOCK, "Reference", hint="For example R-2026-0042", max_length=40),
        text_input(RECEIPT_BLOCK, "Receipt", max_length=80),
    ], callback_id=FOLLOWUP_CALLBACK, submit="Open")


def seal_receipt(sealer: Any, receipt: str) -> str:
    """The receipt encrypted under Probity's key, so Slack only ever holds ciphertext."""
    return base64.urlsafe_b64encode(sealer.seal(receipt, _RECEIPT_PURPOSE)).decode()


def unseal_receipt(sealer: Any, sealed: str) -> str:
    return sealer.open(base64.urlsafe_b64decode(sealed.encode()), _RECEIPT_PURPOSE)


def thread_view(view: ReporterView, sealed_receipt: str, note: str | None = None
                ) -> dict[str, Any]:
    """The reporter's view of their report, with a box to add information or answer."""
    blocks: list[dict[str, Any]] = []
    if note:
        blocks.append(context(note))
    blocks.append(section(
        f"*{escape_mrkdwn(view.reference)}*: {escape_mrkdwn(view.category)}, status "
        f"*{escape_mrkdwn(view.status)}* (received {view.received_on:%-d %B %Y})", escape=False))
    blocks += _typed("What you reported", view.content.what_happened)
    tail: list[dict[str, Any]] = []
    if view.outcome:
        tail += _typed("Outcome", view.outcome)
    submit: str | None = None
    if not view.closed:
        label = ("Answer the integrity unit's question" if view.open_questions
                 else "Add information (optional)")
        tail.append(text_input(MESSAGE_BLOCK, label, multiline=True, optional=True))
        submit = "Send"
    blocks = _with_thread(blocks, view.thread, tail)
    return modal("Your report", blocks, callback_id=THREAD_CALLBACK, submit=submit,
                 close="Close", private_metadata=json.dumps(
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
        return [*head, context("No messages yet."), *tail]
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
        shown.insert(0, context(f"{earlier} earlier message{'s' if earlier != 1 else ''} "
                                "not shown here."))
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
    for label, value in (("What happened", content.what_happened),
                         ("When and where", content.when_and_where),
                         ("Who is involved", content.who_is_involved),
                         ("Evidence", content.evidence),
                         ("Raised elsewhere", content.raised_elsewhere)):
        if value:
            blocks += _typed(label, value)
    if view.identity is not None:
        blocks.append(labelled("*Reporter (confidential):*", view.identity.display_name))
    tail: list[dict[str, Any]] = []
    if view.outcome:
        tail += _typed("Outcome", view.outcome)
    submit: str | None = None
    if summary.status != "closed":
        tail.append(text_input(CASE_MESSAGE, "Message to the reporter", multiline=True,
                               optional=True))
        tail.append(select_input(CASE_KIND, "Send it as", [("message", "A message"),
                                                           ("question", "A question")],
                                 optional=True, initial="message"))
        tail.append(select_input(CASE_STATUS, "Change status to",
                                 [(s, s) for s in statuses if s != summary.status],
                                 optional=True))
        tail.append(text_input(CASE_OUTCOME, "Outcome the reporter may read (when closing)",
                               multiline=True, optional=True))
        submit = "Save"
    blocks = _with_thread(blocks, view.thread, tail)
    return modal(summary.reference, blocks, callback_id=CASE_CALLBACK, submit=submit,
                 close="Close", private_metadata=json.dumps({"ref": summary.reference}))
