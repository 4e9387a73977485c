"""The reporter's side: submit a report, then come back with reference and receipt.

Nothing here takes the reporter's identity for an anonymous report: the surface must drop it
before calling, and there is simply no parameter to pass it through. Reporter actions are
audited as "anonymous reporter" or "confidential reporter", never by name, and never at the
moment they happen: bot.reporting.activity writes them the next day, dated to the day.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.reporting.categories import category_label, listed_category
from bot.reporting.context import ReportingContext
from bot.reporting.deadlines import acknowledge_due, feedback_due, notify_after
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
    ReportContent,
    ReporterKind,
    ReporterView,
    ReportingError,
    Submission,
)
from bot.reporting.threads import (
    REPORTER,
    add_message,
    content_of,
    content_purpose,
    find_report,
    identity_purpose,
    outcome_of,
    thread_of,
)
from bot.reporting.throttle import check_throttle, record_failure
from bot.store.models import Report, ReportMode
from bot.store.references import ReferenceKind, allocate_reference, normalise_reference


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
    if digest is not None:
        earlier = session.scalars(select(Report).where(Report.idempotency_key == digest)).first()
        if earlier is not None:
            raise DuplicateSubmission(earlier.reference)
    now, today = context.now(), context.today()
    reference = allocate_reference(session, ReferenceKind.REPORT, today.year)
    receipt = generate_receipt()
    report = Report(
        reference=reference,
        mode=ReportMode.ANONYMOUS if reporter is None else ReportMode.CONFIDENTIAL,
        category=listed_category(context.categories, content.category),
        receipt_hash=hash_receipt(receipt),
        sealed_content=context.sealer.seal(content.sealed_form(), content_purpose(reference)),
        sealed_identity=None if reporter is None else context.sealer.seal(
            reporter.sealed_form(), identity_purpose(reference)),
        # The date only: an exact time could be matched against who was online.
        received_on=today,
        acknowledge_due=acknowledge_due(today),
        feedback_due=feedback_due(today),
        notify_after=notify_after(now, context.notify_delay_max_minutes),
        handlers_notified=False,
        idempotency_key=digest,
    )
    session.add(report)
    session.flush()
    # No audit event and no log line yet: their timestamps would mark the moment of
    # submission. "report.received" is audited when handlers are told, after the random delay.
    return Submission(reference, receipt)


def open_report(
    session: Session, context: ReportingContext, reference: str, receipt: str
) -> ReporterView | AccessRefused:
    """The reporter's view of their report, or a refusal (commit it: failures must count)."""
    report = _unlock(session, context, reference, receipt)
    if isinstance(report, AccessRefused):
        return report
    return _view(session, context, report)


def add_reporter_message(
    session: Session, context: ReportingContext, reference: str, receipt: str, text: str,
    kind: ReporterKind = "message",
) -> ReporterView | AccessRefused:
    """Add information, or answer the unit's questions ("answer"); refused once closed."""
    if kind not in ("message", "answer"):
        raise ValueError(f"a reporter cannot add a {kind!r}")
    report = _unlock(session, context, reference, receipt)
    if isinstance(report, AccessRefused):
        return report
    # The message row (dated, not timed) is the record; its audit event follows next day.
    add_message(session, context, report, author=REPORTER, kind=kind, text=text)
    return _view(session, context, report)


def reveal_identity(
    session: Session, context: ReportingContext, reference: str, receipt: str,
    reporter: ConfidentialReporter,
) -> ReporterView | AccessRefused:
    """An anonymous reporter chooses to be known to handlers. There is no way back."""
    report = _unlock(session, context, reference, receipt)
    if isinstance(report, AccessRefused):
        return report
    if report.mode != ReportMode.ANONYMOUS:
        raise ReportingError(f"{report.reference} is already confidential.")
    report.sealed_identity = context.sealer.seal(reporter.sealed_form(),
                                                 identity_purpose(report.reference))
    report.mode = ReportMode.CONFIDENTIAL
    add_message(session, context, report, author=REPORTER, kind="status",
                text="The reporter chose to tell the integrity unit who they are.")
    return _view(session, context, report)


def _unlock(
    session: Session, context: ReportingContext, typed_reference: str, receipt: str
) -> Report | AccessRefused:
    """The report behind a reference and receipt; throttle first, then the slow hash."""
    reference = _report_reference(typed_reference)
    report = find_report(session, reference, for_update=True) if reference else None
    # Failures count against the reference as typed whether or not it exists. Counting them
    # only for real reports made throttling an oracle: a fourth wrong receipt was refused as
    # "too many attempts" only for a reference that exists.
    known = reference
    now = context.now()
    decision = check_throttle(session, known, now, context.throttle)
    # No audit event and no log line here: either would time the attempt to the second, and
    # the one making it is most often the reporter. The failure row (kept only while it can
    # throttle) becomes a day-dated audit event in the next daily batch.
    if not decision.allowed:
        return AccessRefused(throttled=True, retry_after=decision.retry_after)
    if receipt_matches(report.receipt_hash if report is not None else None, receipt):
        return report  # type: ignore[return-value]
    record_failure(session, known, now)
    after = check_throttle(session, known, now, context.throttle)
    return AccessRefused(throttled=False, retry_after=after.retry_after,
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


def _view(session: Session, context: ReportingContext, report: Report) -> ReporterView:
    return ReporterView(
        reference=report.reference,
        mode=report.mode,
        category=category_label(context.categories, report.category),
        status=report.status,
        received_on=report.received_on,
        content=content_of(context, report),
        thread=thread_of(session, context, report, name_handlers=False),
        outcome=outcome_of(context, report),
    )
