"""Reporter-side audit events, written in daily batches after the day ends, dated to the day.

Every audit event has a place in the hash chain between events with exact times, so an event
written at the moment a reporter acts dates that act to the minute even if its own `at` were
rounded. Reporter actions therefore leave no audit event when they happen: the facts are
already in the database at day precision (a message's `created_on`, a failure row), and this
batch turns the days that have ended into events stamped with the day only, in a fixed order,
at whatever moment the batch runs (handlers' regular notification job runs it).
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
from bot.store.models import AuditEvent, ReceiptFailure, Report, ReportMessage, ReportMode

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
    through = context.today() - dt.timedelta(days=1)
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
    _forget_old_failures(session, context)
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
    counts = Counter(tuple(row) for row in session.execute(query))
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
    query = select(ReceiptFailure.reference, ReceiptFailure.at).where(
        ReceiptFailure.at < _start_of(context, through + dt.timedelta(days=1)))
    if last is not None:
        query = query.where(ReceiptFailure.at >= _start_of(context, last + dt.timedelta(days=1)))
    counts = Counter((reference, at.astimezone(context.zone).date())
                     for reference, at in session.execute(query))
    real = set(session.scalars(select(Report.reference).where(
        Report.reference.in_({reference for reference, _ in counts if reference}))))
    return [(day, reference, "report.receipt_refused", UNVERIFIED,
             {"failures": count, "reference_exists": reference in real})
            for (reference, day), count in counts.items()]


def _forget_old_failures(session: Session, context: ReportingContext) -> None:
    """Drop failure rows that are audited and no longer count towards any wait: their exact
    times are needed only while they can throttle."""
    policy = context.throttle
    horizon = min(_start_of(context, context.today()),
                  context.now() - max(policy.window, policy.global_window))
    session.execute(delete(ReceiptFailure).where(ReceiptFailure.at < horizon))


def _start_of(context: ReportingContext, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=context.zone).astimezone(dt.UTC)
