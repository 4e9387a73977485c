"""Retention: removing what a closed report said once the force no longer needs it.

A purge keeps a stub that still answers "what reports did we have, and what came of them":
reference, mode, listed category, status, the dates and deadlines, and the sealed outcome
(unless asked to remove it too). It removes the sealed content, every message and attachment,
a confidential reporter's sealed identity, the submission digest and any failure rows, and
audits each report it purges. See docs/reporting.md for choosing the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.messages import say
from bot.reporting.activity import audit_reporter_activity
from bot.reporting.context import ReportingContext
from bot.reporting.handling import Handler, announce_due, check_handler
from bot.store.audit import record_event
from bot.store.vault.models import (
    ReceiptFailure,
    Report,
    ReportAttachment,
    ReportMessage,
    ReportStatus,
)

#: What `sealed_content` holds once purged: nothing (the column cannot be null).
PURGED = b""


@dataclass(frozen=True)
class PurgedReport:
    reference: str
    closed_on: dt.date
    messages_removed: int


def is_purged(report: Report) -> bool:
    return not report.sealed_content


def purge_closed(
    session: Session, context: ReportingContext, handler: Handler, *, older_than_days: int,
    remove_outcome: bool = False, dry_run: bool = False,
) -> list[PurgedReport]:
    """Purge reports closed more than `older_than_days` days ago (today not counted)."""
    check_handler(context, handler)
    if older_than_days < 1:
        raise ValueError(say("reporting.retention_too_short"))
    # Messages about to go may not be audited yet (the daily batch reads them): do that first.
    audit_reporter_activity(session, context)
    # Like every handler call, it sees only reports handlers have been told of.
    announce_due(session, context)
    cutoff = context.today() - dt.timedelta(days=older_than_days)
    query = select(Report).where(
        Report.status == ReportStatus.CLOSED, Report.closed_on < cutoff,
        Report.handlers_notified.is_(True),
    ).order_by(Report.id)
    if not dry_run:
        query = query.with_for_update()
    purged = []
    for report in session.scalars(query):
        if is_purged(report) and (report.sealed_outcome is None or not remove_outcome):
            continue
        assert report.closed_on is not None  # a closed report always has its date
        purged.append(PurgedReport(report.reference, report.closed_on, len(report.messages)))
        if dry_run:
            continue
        session.execute(delete(ReportMessage).where(ReportMessage.report_id == report.id))
        session.execute(delete(ReportAttachment).where(ReportAttachment.report_id == report.id))
        session.execute(delete(ReceiptFailure).where(ReceiptFailure.reference
                                                     == report.reference))
        session.expire(report, ["messages", "attachments"])
        report.sealed_content = PURGED
        report.sealed_identity = None
        report.idempotency_key = None
        if remove_outcome:
            report.sealed_outcome = None
        record_event(session, handler.actor, "report.purged", report.reference, {
            "closed_on": report.closed_on.isoformat(), "older_than_days": older_than_days,
            "messages_removed": purged[-1].messages_removed,
            "outcome": "removed" if report.sealed_outcome is None else "kept sealed"})
    record_event(session, handler.actor,
                 "reports.purge_previewed" if dry_run else "reports.purged",
                 None, {"older_than_days": older_than_days, "count": len(purged),
                        "remove_outcome": remove_outcome})
    return purged
