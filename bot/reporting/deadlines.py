"""Report deadlines from good practice (acknowledge in 7 days, feed back in 3 months) and the
random delay before handlers hear of a new report."""

from __future__ import annotations

import calendar
import datetime as dt
import secrets
from dataclasses import dataclass

from bot.store.vault.models import Report, ReportStatus

ACKNOWLEDGE_WITHIN = dt.timedelta(days=7)
FEEDBACK_WITHIN_MONTHS = 3


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day if shorter (31 Jan -> 30 Apr)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def acknowledge_due(received_on: dt.date) -> dt.date:
    return received_on + ACKNOWLEDGE_WITHIN


def feedback_due(received_on: dt.date) -> dt.date:
    return add_months(received_on, FEEDBACK_WITHIN_MONTHS)


def notify_after(now: dt.datetime, delay_max_minutes: int) -> dt.datetime:
    """When handlers may hear of a report: a uniformly random moment up to the maximum away.

    Whole seconds drawn from `secrets` so the delay is not predictable from other output.
    """
    return now + dt.timedelta(seconds=secrets.randbelow(delay_max_minutes * 60 + 1))


@dataclass(frozen=True)
class Breach:
    """A deadline a report has missed."""

    what: str  # "acknowledgement" or "feedback"
    due: dt.date
    days_late: int


def breaches(report: Report, today: dt.date) -> list[Breach]:
    """The deadlines `report` has missed as of `today` (none once met)."""
    found = []
    if report.acknowledged_on is None and today > report.acknowledge_due:
        found.append(Breach("acknowledgement", report.acknowledge_due,
                            (today - report.acknowledge_due).days))
    fed_back = report.first_feedback_on is not None or report.status == ReportStatus.CLOSED
    if not fed_back and today > report.feedback_due:
        found.append(Breach("feedback", report.feedback_due, (today - report.feedback_due).days))
    return found
