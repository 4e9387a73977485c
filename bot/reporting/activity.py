"""Reporter-side audit events, written in daily batches after the day ends, dated to the day.

Every audit event has a place in the hash chain between events with exact times, so an event
written at the moment a reporter acts dates that act to the minute even if its own `at` were
rounded. Reporter actions therefore leave no audit event when they happen: the facts are
in the vault at day precision once the day's batch has run (a message's `created_on`, a
failure count), and this turns the days that have ended and been applied into events stamped
with the day only, in a fixed order, at whatever moment it runs (handlers' regular
notification job runs it; it is also a schedule of its own).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.reporting.context import ReportingContext
from bot.reporting.threads import REPORTER
from bot.store.audit import lock_chain, record_event
from bot.store.models import AuditEvent
from bot.store.vault.models import ReceiptFailure, Report, ReportMessage, ReportMode

#: How the audit log names reporters; never by identity. "unverified" made a failed check.
UNVERIFIED = "unverified reporter"
REPORTER_ACTORS = frozenset({f"{ReportMode.ANONYMOUS} reporter",
                             f"{ReportMode.CONFIDENTIAL} reporter", UNVERIFIED})
#: The batch's own marker: `subject` is indexed, so finding the last one is cheap.
BATCH_SUBJECT = "reporter-activity"
BATCH_ACTION = "reports.reporter_activity_audited"


def reporter_actor(mode: str) -> str:
    """How the audit log names a reporter: by mode, never by identity."""
    return f"{mode} reporter"


def day_stamp(day: dt.date) -> dt.datetime:
    """The `at` a reporter-side event carries: its day, at midnight UTC, and nothing finer."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def audit_reporter_activity(session: Session, context: ReportingContext) -> int:
    """Audit reporters' actions on every day that has ended and is not yet audited.

    Returns how many events were written. Safe to run often and from several processes: the
    batch re-reads its marker under the chain's lock, so each day is written once.
    """
    through = _applied_through(context)
    last = _audited_through(session)
    if last is not None and last >= through:
        return 0
    lock_chain(session)
    last = _audited_through(session)
    if last is not None and last >= through:
        return 0
    events = sorted(_message_events(session, last, through)
                    + _failure_events(session, context, last, through),
                    key=lambda e: (e[0], e[1] or "", e[2], e[3], sorted(e[4].items())))
    for day, subject, action, actor, details in events:
        record_event(session, actor, action, subject, {**details, "on": day.isoformat()},
                     at=day_stamp(day))
    # Counted now: the per-day failure rows have served their only purpose.
    session.execute(delete(ReceiptFailure).where(ReceiptFailure.on <= through))
    record_event(session, "system", BATCH_ACTION, BATCH_SUBJECT,
                 {"through": through.isoformat(), "events": len(events)})
    return len(events)


Event = tuple[dt.date, str | None, str, str, dict[str, Any]]


def _audited_through(session: Session) -> dt.date | None:
    marker = session.scalars(
        select(AuditEvent).where(AuditEvent.subject == BATCH_SUBJECT,
                                 AuditEvent.action == BATCH_ACTION)
        .order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return dt.date.fromisoformat(marker.details["through"]) if marker else None


def _message_events(session: Session, last: dt.date | None, through: dt.date) -> list[Event]:
    query = (select(Report.reference, Report.mode, ReportMessage.kind, ReportMessage.created_on)
             .join(Report, ReportMessage.report_id == Report.id)
             .where(ReportMessage.author == REPORTER, ReportMessage.created_on <= through))
    if last is not None:
        query = query.where(ReportMessage.created_on > last)
    counts: Counter[tuple[str, str, str, dt.date]] = Counter(
        (row[0], row[1], row[2], row[3]) for row in session.execute(query))
    events: list[Event] = []
    for (reference, mode, kind, day), count in counts.items():
        if kind == "status":
            # The only note a reporter writes is the one that reveals who they are.
            events.append((day, reference, "report.identity_revealed",
                           reporter_actor(ReportMode.CONFIDENTIAL), {}))
        else:
            events.append((day, reference, "report.reporter_message", reporter_actor(mode),
                           {"kind": kind, "count": count}))
    return events


def _failure_events(session: Session, context: ReportingContext, last: dt.date | None,
                    through: dt.date) -> list[Event]:
    query = select(ReceiptFailure.reference, ReceiptFailure.on, ReceiptFailure.count).where(
        ReceiptFailure.on <= through)
    if last is not None:
        query = query.where(ReceiptFailure.on > last)
    counts: Counter[tuple[str | None, dt.date]] = Counter()
    for reference, day, count in session.execute(query):
        counts[(reference, day)] += count
    real = set(session.scalars(select(Report.reference).where(
        Report.reference.in_({reference for reference, _ in counts if reference}))))
    return [(day, reference, "report.receipt_refused", UNVERIFIED,
             {"failures": count, "reference_exists": reference in real})
            for (reference, day), count in counts.items()]


def _applied_through(context: ReportingContext) -> dt.date:
    """The last day whose reporter writes are all in the vault: yesterday once today's batch
    has run, else the day before the oldest write still waiting in the spool."""
    yesterday = context.today() - dt.timedelta(days=1)
    waiting = [day for day in context.spool.days_waiting() if day <= yesterday]
    return min(waiting) - dt.timedelta(days=1) if waiting else yesterday
