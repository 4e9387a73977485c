"""The reporter's side: submit a report, then come back with reference and receipt.

Nothing here takes the reporter's identity for an anonymous report: the surface must drop it
before calling, and there is simply no parameter to pass it through. Nothing here writes to
a database either. A submission, message, answer or reveal, and a failed receipt check, goes
into the spool (bot.reporting.vault.spool) sealed and dated to the day; the next day's batch
writes them into the vault in random order, so no row order, id or transaction id dates the
act. Until then the reporter reads their own waiting writes: `_Merged` lays the spool's
entries for one reference over whatever the vault holds, so a reporter sees what they sent
at once, and only the reporter (who has the receipt) can.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.messages import say
from bot.reporting.categories import category_label, listed_category
from bot.reporting.context import ReportingContext
from bot.reporting.receipts import (
    generate_receipt,
    hash_receipt,
    normalise_receipt,
    receipt_matches,
)
from bot.reporting.records import (
    AccessRefused,
    ConfidentialReporter,
    DuplicateSubmission,
    ReportClosed,
    ReportContent,
    ReporterKind,
    ReporterView,
    ReportingError,
    Submission,
    ThreadEntry,
)
from bot.reporting.references import new_report_reference
from bot.reporting.threads import (
    REPORTER,
    checked_text,
    content_purpose,
    find_report,
    identity_purpose,
    message_purpose,
    open_content,
    outcome_of,
    thread_of,
)
from bot.reporting.throttle import Sender
from bot.reporting.vault.spool import FAILURE, MESSAGE, REVEAL, SUBMISSION, SpoolEntry
from bot.store.references import ReferenceKind, normalise_reference
from bot.store.vault.models import Report, ReportMode, ReportStatus


def submit_anonymous_report(
    session: Session, context: ReportingContext, content: ReportContent, *,
    idempotency_key: str | None = None,
) -> Submission:
    """File an anonymous report. Show the returned receipt once; it cannot be recovered.

    `idempotency_key` is for surfaces that may deliver one submission twice; it is stored only
    as a keyed digest, so it cannot be matched against the surface's own records.
    """
    return _submit(session, context, content, None, idempotency_key)


def submit_confidential_report(
    session: Session, context: ReportingContext, content: ReportContent,
    reporter: ConfidentialReporter, *, idempotency_key: str | None = None,
) -> Submission:
    """File a report whose author is sealed and shown to handlers only."""
    return _submit(session, context, content, reporter, idempotency_key)


def _submit(
    session: Session, context: ReportingContext, content: ReportContent,
    reporter: ConfidentialReporter | None, idempotency_key: str | None,
) -> Submission:
    digest = context.sealer.digest(idempotency_key) if idempotency_key else None
    pending = context.spool.writes()
    if digest is not None:
        earlier = session.scalars(select(Report.reference).where(
            Report.idempotency_key == digest)).first() or next(
            (entry.reference for entry in pending if entry.kind == SUBMISSION
             and entry.body.get("idempotency_key") == digest), None)
        if earlier is not None:
            raise DuplicateSubmission(earlier)
    today = context.today()
    reference = new_report_reference(session, today.year, {
        entry.reference for entry in pending if entry.reference})
    receipt = generate_receipt()
    sealed_identity = None if reporter is None else context.sealer.seal(
        reporter.sealed_form(), identity_purpose(reference))
    # The date only, and no database write: the batch files it tomorrow (module docstring).
    context.spool.put(SUBMISSION, today, reference, {
        "mode": ReportMode.ANONYMOUS if reporter is None else ReportMode.CONFIDENTIAL,
        "category": listed_category(context.categories, content.category),
        "receipt_hash": hash_receipt(receipt),
        "sealed_content": _text(context.sealer.seal(content.sealed_form(),
                                                    content_purpose(reference))),
        "sealed_identity": None if sealed_identity is None else _text(sealed_identity),
        "idempotency_key": digest,
    })
    return Submission(reference, receipt)


def open_report(
    session: Session, context: ReportingContext, reference: str, receipt: str, *,
    sender: Sender | None = None,
) -> ReporterView | AccessRefused:
    """The reporter's view of their report, or a refusal.

    `sender` (context.guesses.sender(surface, id)) limits how fast one sender may guess;
    nobody else's guesses ever refuse a correct receipt.
    """
    merged = _unlock(session, context, reference, receipt, sender)
    if isinstance(merged, AccessRefused):
        return merged
    return merged.view(session, context)


def add_reporter_message(
    session: Session, context: ReportingContext, reference: str, receipt: str, text: str,
    kind: ReporterKind = "message", *, sender: Sender | None = None,
) -> ReporterView | AccessRefused:
    """Add information, or answer the unit's questions ("answer"); refused once closed."""
    if kind not in ("message", "answer"):
        raise ValueError(say("reporting.reporter_cannot_send", kind=kind))
    merged = _unlock(session, context, reference, receipt, sender)
    if isinstance(merged, AccessRefused):
        return merged
    if merged.status == ReportStatus.CLOSED:
        raise ReportClosed(merged.reference)
    merged.queue_message(context, kind, checked_text(text))
    return merged.view(session, context)


def reveal_identity(
    session: Session, context: ReportingContext, reference: str, receipt: str,
    reporter: ConfidentialReporter, *, sender: Sender | None = None,
) -> ReporterView | AccessRefused:
    """An anonymous reporter chooses to be known to handlers. There is no way back."""
    merged = _unlock(session, context, reference, receipt, sender)
    if isinstance(merged, AccessRefused):
        return merged
    if merged.mode != ReportMode.ANONYMOUS:
        raise ReportingError(say("reporting.already_confidential", reference=merged.reference))
    entry = context.spool.put(REVEAL, context.today(), merged.reference, {
        "sealed_identity": _text(context.sealer.seal(
            reporter.sealed_form(), identity_purpose(merged.reference))),
        "sealed_note": _text(context.sealer.seal(
            say("reporting.revealed_note"), message_purpose(merged.reference))),
        "n": merged.next_n(),
    })
    merged.pending.append(entry)
    return merged.view(session, context)


@dataclass
class _Merged:
    """One report as its reporter sees it: the vault's row (if the batch has run) with the
    reporter's own waiting writes laid over it."""

    reference: str
    report: Report | None
    submission: SpoolEntry | None
    pending: list[SpoolEntry] = field(default_factory=list)

    @property
    def receipt_hash(self) -> str:
        if self.report is not None:
            return self.report.receipt_hash
        assert self.submission is not None
        return str(self.submission.body["receipt_hash"])

    @property
    def status(self) -> str:
        return self.report.status if self.report is not None else ReportStatus.RECEIVED

    @property
    def mode(self) -> str:
        if any(entry.kind == REVEAL for entry in self.pending):
            return ReportMode.CONFIDENTIAL
        if self.report is not None:
            return self.report.mode
        assert self.submission is not None
        return str(self.submission.body["mode"])

    def next_n(self) -> int:
        """The order of the reporter's writes on one report, kept by the batch."""
        return 1 + max((int(entry.body.get("n", 0)) for entry in self.pending), default=0)

    def queue_message(self, context: ReportingContext, kind: str, text: str) -> None:
        self.pending.append(context.spool.put(MESSAGE, context.today(), self.reference, {
            "kind": kind, "n": self.next_n(),
            "sealed_body": _text(context.sealer.seal(text, message_purpose(self.reference))),
        }))

    def view(self, session: Session, context: ReportingContext) -> ReporterView:
        if self.report is not None:
            report = self.report
            category, received_on = report.category, report.received_on
            content = open_content(context, report.reference, category, report.sealed_content)
            thread = list(thread_of(session, context, report, name_handlers=False))
            outcome = outcome_of(context, report)
        else:
            assert self.submission is not None
            category, received_on = str(self.submission.body["category"]), self.submission.day
            content = open_content(context, self.reference, category,
                                   _bytes(self.submission.body["sealed_content"]))
            thread, outcome = [], None
        for entry in sorted(self.pending, key=lambda e: int(e.body.get("n", 0))):
            sealed, kind = ((entry.body["sealed_note"], "status") if entry.kind == REVEAL
                            else (entry.body["sealed_body"], entry.body["kind"]))
            text = context.sealer.open(_bytes(sealed), message_purpose(self.reference))
            thread.append(ThreadEntry(REPORTER, kind, text, entry.day))
        return ReporterView(
            reference=self.reference, mode=self.mode,
            category=category_label(context.categories, category), status=self.status,
            received_on=received_on, content=content, thread=tuple(thread), outcome=outcome)


def _find(session: Session, context: ReportingContext, reference: str) -> _Merged | None:
    report = find_report(session, reference)
    waiting = context.spool.for_reference(reference)
    submission = next((entry for entry in waiting if entry.kind == SUBMISSION), None)
    if report is None and submission is None:
        return None
    pending = [entry for entry in waiting if entry.kind in (MESSAGE, REVEAL)]
    return _Merged(reference, report, submission, pending)


def _unlock(
    session: Session, context: ReportingContext, typed_reference: str, receipt: str,
    sender: Sender | None,
) -> _Merged | AccessRefused:
    """The report behind a reference and receipt; the sender's limit first, then the slow
    hash. No audit event, log line or database row here: each would time the attempt, and
    the one making it is most often the reporter. A failure goes into the spool, dated to
    the day, and becomes a day-dated audit count after the batch."""
    now = context.now()
    if sender is not None:
        decision = context.guesses.check(sender, now)
        if not decision.allowed:
            return AccessRefused(throttled=True, retry_after=decision.retry_after)
    reference = _report_reference(typed_reference)
    merged = _find(session, context, reference) if reference else None
    if receipt_matches(merged.receipt_hash if merged is not None else None, receipt):
        if sender is not None:
            context.guesses.forget(sender)
        return merged  # type: ignore[return-value]
    context.spool.put(FAILURE, context.today(), merged.reference if merged else None)
    retry_after = dt.timedelta(0)
    if sender is not None:
        context.guesses.record_failure(sender, now)
        retry_after = context.guesses.check(sender, now).retry_after
    return AccessRefused(throttled=False, retry_after=retry_after,
                         not_a_receipt=normalise_receipt(receipt) is None)


#: A report reference's number never needs more digits than this; a longer one could be a
#: receipt typed into the wrong box, and must not be written down as a reference.
_MAX_REFERENCE_DIGITS = 6


def _report_reference(typed: str | None) -> str | None:
    """The canonical report reference typed, if it could be one; else None (never stored)."""
    reference = normalise_reference(typed or "")
    if reference is None or not reference.startswith(f"{ReferenceKind.REPORT.value}-"):
        return None
    if len(reference.rsplit("-", 1)[1]) > _MAX_REFERENCE_DIGITS:
        return None
    return reference


def _text(sealed: bytes) -> str:
    return base64.b64encode(sealed).decode("ascii")


def _bytes(text: object) -> bytes:
    return base64.b64decode(str(text))
