"""The integrity unit's side: list, read, reply, ask, move through statuses, hear of new reports.

Only people named in settings.handlers get a `Handler`; every call checks it again and
appends an audit event ("person:N"), and a refused attempt is audited too.

A report exists for handlers only once the daily batch has written it into the vault (the
day after it was made, at a random moment: bot.reporting.vault.batch) and it has been
announced (`handlers_notified`): every handler call first announces the reports the batch
brought, so `report.received` always precedes any handler event about a report, and a report
still waiting reads exactly like an unknown reference.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.handlers import is_handler
from bot.messages import say
from bot.reporting.activity import audit_reporter_activity
from bot.reporting.categories import category_label
from bot.reporting.context import ReportingContext
from bot.reporting.deadlines import breaches
from bot.reporting.records import (
    CaseSummary,
    HandlerKind,
    HandlerView,
    NotAHandler,
    ReportingError,
    UnknownReport,
)
from bot.reporting.threads import (
    HANDLER,
    add_message,
    content_of,
    find_report,
    identity_of,
    outcome_of,
    outcome_purpose,
    thread_of,
)
from bot.store.audit import record_event
from bot.store.models import Person
from bot.store.references import normalise_reference
from bot.store.vault.models import Report, ReportStatus
from bot.turns import Speaker

log = logging.getLogger(__name__)

#: The order a report moves through; it may skip ahead or step back, but never reopen.
STATUSES = tuple(ReportStatus)


@dataclass(frozen=True)
class Handler:
    """An integrity-unit member allowed to handle reports; made by `authorise_handler`."""

    person_id: int
    surface_id: str
    display_name: str
    #: Last, with a default, so a Handler built by position still works.
    surface: str = ""

    @property
    def actor(self) -> str:
        return f"person:{self.person_id}"


@dataclass(frozen=True)
class DueNotice:
    """A report handlers may now be told about (the batch has brought it)."""

    reference: str
    mode: str
    category: str
    received_on: dt.date


def authorise_handler(
    session: Session, context: ReportingContext, speaker: Speaker, attempted: str
) -> Handler | None:
    """The speaker as a Handler, or None after auditing the refusal (commit it either way)."""
    person = session.scalars(
        select(Person).where(Person.surface == speaker.surface,
                             Person.surface_id == speaker.surface_id)
    ).first()
    if not is_handler(speaker.surface, speaker.surface_id, context.handlers):
        actor = f"person:{person.id}" if person else f"{speaker.surface}:{speaker.surface_id}"
        record_event(session, actor, "report.access_refused", None, {"attempted": attempted})
        log.warning("%s is not a report handler; refused %s", actor, attempted)
        return None
    if person is None:
        person = Person(surface=speaker.surface, surface_id=speaker.surface_id,
                        display_name=speaker.display_name or speaker.surface_id)
        session.add(person)
        session.flush()
    return Handler(person.id, speaker.surface_id, person.display_name, speaker.surface)


def list_reports(
    session: Session, context: ReportingContext, handler: Handler, *,
    status: str | None = None, overdue: bool = False,
) -> list[CaseSummary]:
    """Reports oldest first, optionally one status only or only those past a deadline."""
    check_handler(context, handler)
    announce_due(session, context)
    # Ids are random: oldest first is by day, then reference.
    query = select(Report).where(Report.handlers_notified.is_(True)).order_by(
        Report.received_on, Report.reference)
    if status is not None:
        query = query.where(Report.status == ReportStatus(status))
    summaries = [_summary(context, report) for report in session.scalars(query)]
    if overdue:
        summaries = [summary for summary in summaries if summary.breaches]
    record_event(session, handler.actor, "reports.listed", None,
                 {"status": status, "overdue": overdue, "count": len(summaries)})
    return summaries


def read_report(
    session: Session, context: ReportingContext, handler: Handler, reference: str
) -> HandlerView:
    """One report in full, a confidential reporter's identity included."""
    check_handler(context, handler)
    announce_due(session, context)
    report = _report(session, reference)
    identity = identity_of(context, report)
    record_event(session, handler.actor, "report.read", report.reference,
                 {"identity_shown": identity is not None})
    return _handler_view(session, context, report)


def reply(
    session: Session, context: ReportingContext, handler: Handler, reference: str, text: str,
    kind: HandlerKind = "message",
) -> HandlerView:
    """Write to the reporter, who reads it when they next check in."""
    check_handler(context, handler)
    if kind not in ("message", "question"):
        raise ValueError(say("reporting.handler_cannot_send", kind=repr(kind)))
    announce_due(session, context)
    report = _report(session, reference, for_update=True)
    add_message(session, context, report, author=HANDLER, kind=kind, text=text,
                handler_id=handler.person_id)
    today = context.today()
    # Any word from the unit acknowledges receipt; a message (not just a question) is feedback.
    report.acknowledged_on = report.acknowledged_on or today
    if kind == "message":
        report.first_feedback_on = report.first_feedback_on or today
    record_event(session, handler.actor, "report.handler_message", report.reference,
                 {"kind": kind})
    return _handler_view(session, context, report)


def change_status(
    session: Session, context: ReportingContext, handler: Handler, reference: str,
    status: str, outcome: str | None = None,
) -> HandlerView:
    """Move a report on. Closing needs an outcome, which the reporter may read; closed is final."""
    check_handler(context, handler)
    try:
        target = ReportStatus(status)
    except ValueError:
        raise ReportingError(say("reporting.not_a_status", status=repr(status),
                                 choices=", ".join(STATUSES))) from None
    announce_due(session, context)
    report = _report(session, reference, for_update=True)
    if report.status == ReportStatus.CLOSED:
        raise ReportingError(say("reporting.closed_no_status_change", reference=report.reference))
    if target == report.status:
        raise ReportingError(say("reporting.already_status", reference=report.reference,
                                 status=target))
    if target == ReportStatus.RECEIVED:
        raise ReportingError(say("reporting.cannot_go_back_to_received"))
    if target == ReportStatus.CLOSED and not (outcome and outcome.strip()):
        raise ReportingError(say("reporting.closing_needs_outcome"))
    if target != ReportStatus.CLOSED and outcome:
        raise ReportingError(say("reporting.outcome_only_when_closing"))
    today = context.today()
    previous = report.status
    report.status = target
    report.acknowledged_on = report.acknowledged_on or today
    if target == ReportStatus.CLOSED:
        report.closed_on = today
        report.first_feedback_on = report.first_feedback_on or today
        report.sealed_outcome = context.sealer.seal(outcome.strip(),  # type: ignore[union-attr]
                                                    outcome_purpose(report.reference))
    add_message(session, context, report, author=HANDLER, kind="status",
                text=say("reporting.status_changed", status=target), handler_id=handler.person_id)
    record_event(session, handler.actor, "report.status_changed", report.reference,
                 {"from": previous, "to": target})
    return _handler_view(session, context, report)


def due_notifications(session: Session, context: ReportingContext) -> list[DueNotice]:
    """Reports the batch has brought that handlers have not yet been told of.

    Surfaces call this regularly, so it also writes the audit events for reporters' actions
    on days that have ended (see bot.reporting.activity); call it in a transaction.
    """
    audit_reporter_activity(session, context)
    query = select(Report).where(
        Report.handlers_notified.is_(False), Report.notify_after <= context.today()
    ).order_by(Report.received_on, Report.reference)
    return [DueNotice(report.reference, report.mode, report.category, report.received_on)
            for report in session.scalars(query)]


def mark_notified(session: Session, context: ReportingContext, reference: str) -> None:
    """Record that handlers were told; only now is the report's receipt audited (see reporter).

    Only the announcer calls this (a surface that has just posted the notice, or
    `announce_due`); a report is marked once, however many processes try at the same time.
    """
    report = _report(session, reference, for_update=True, announced_only=False)
    if report.handlers_notified:
        return
    report.handlers_notified = True
    report.notify_after = None
    record_event(session, "system", "report.received", report.reference,
                 {"mode": report.mode, "category": report.category,
                  "received_on": report.received_on.isoformat()})


def announce_due(session: Session, context: ReportingContext) -> list[DueNotice]:
    """Mark every report whose delay has passed as announced; the ones newly announced.

    Handler calls run this first, so a report becomes visible to handlers at the same moment
    its `report.received` event is written, and never before the batch has brought it.
    """
    due = due_notifications(session, context)
    for notice in due:
        mark_notified(session, context, notice.reference)
    return due


def check_handler(context: ReportingContext, handler: Handler) -> None:
    """Refuse a Handler made by hand, or one removed from settings since it was authorised."""
    if not is_handler(handler.surface, handler.surface_id, context.handlers):
        raise NotAHandler()


def _report(session: Session, reference: str, *, for_update: bool = False,
            announced_only: bool = True) -> Report:
    canonical = normalise_reference(reference) or reference.strip()
    report = find_report(session, canonical, for_update=for_update)
    # Not yet announced: to a handler it does not exist yet, with the very same message.
    if report is None or (announced_only and not report.handlers_notified):
        raise UnknownReport(canonical)
    return report


def _summary(context: ReportingContext, report: Report) -> CaseSummary:
    return CaseSummary(
        reference=report.reference, mode=report.mode,
        category=category_label(context.categories, report.category),
        status=report.status, received_on=report.received_on,
        acknowledge_due=report.acknowledge_due, feedback_due=report.feedback_due,
        breaches=tuple(breaches(report, context.today())), messages=len(report.messages),
    )


def _handler_view(session: Session, context: ReportingContext, report: Report) -> HandlerView:
    return HandlerView(
        summary=_summary(context, report),
        content=content_of(context, report),
        thread=thread_of(session, context, report, name_handlers=True),
        identity=identity_of(context, report),
        outcome=outcome_of(context, report),
    )
