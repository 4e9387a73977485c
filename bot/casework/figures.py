"""The integrity unit's figures: counts by kind and month, declined share, decision times,
late items, business interests by type and report categories, each computed in SQL.

Chief officers and inspectors ask for these (see DOMAIN.md); the console's dashboard and the
monthly summary draw them. Months are UTC calendar months of the filing time, the same
bucketing on SQLite and PostgreSQL. Report counts below SUPPRESS_BELOW are never shown, so a
small category cannot point at a reporter.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, String, and_, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from bot.casework.queries import OPEN_STATUSES
from bot.casework.rules import CaseworkRules
from bot.store.models import Declaration, DeclarationKind
from bot.store.vault.models import Report

#: Report counts from 1 to this minus one are shown as "fewer than 5".
SUPPRESS_BELOW = 5


class _MonthOf(FunctionElement[str]):
    """'YYYY-MM' of a stored UTC instant."""

    type = String()
    inherit_cache = True


@compiles(_MonthOf)
def _month_sqlite(element: _MonthOf, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(_MonthOf, "postgresql")
def _month_postgresql(element: _MonthOf, compiler: Any, **kw: Any) -> str:
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM')"


class _DaysBetween(FunctionElement[int]):
    """Whole UTC days from the first instant to the second."""

    type = Integer()
    inherit_cache = True


@compiles(_DaysBetween)
def _days_sqlite(element: _DaysBetween, compiler: Any, **kw: Any) -> str:
    first, second = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday(date({second})) - julianday(date({first})) AS INTEGER)"


@compiles(_DaysBetween, "postgresql")
def _days_postgresql(element: _DaysBetween, compiler: Any, **kw: Any) -> str:
    first, second = (compiler.process(c, **kw) for c in element.clauses)
    return (f"(({second}) AT TIME ZONE 'UTC')::date - (({first}) AT TIME ZONE 'UTC')::date")


def months_ending(last: str, count: int) -> list[str]:
    """`count` 'YYYY-MM' labels ending with `last`, oldest first."""
    year, month = (int(part) for part in last.split("-"))
    labels = []
    for _ in range(count):
        labels.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return labels[::-1]


def month_start(label: str) -> dt.datetime:
    year, month = (int(part) for part in label.split("-"))
    return dt.datetime(year, month, 1, tzinfo=dt.UTC)


def next_month(label: str) -> str:
    year, month = (int(part) for part in label.split("-"))
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


@dataclass(frozen=True)
class DecisionTimes:
    """Per month of filing: how many were decided, the median days, and how many were late."""

    decided: dict[str, int]
    median_days: dict[str, float | None]
    over_target: dict[str, int]
    target_days: int


@dataclass(frozen=True)
class ReportCell:
    """A report count as it may be shown: exact at SUPPRESS_BELOW or more, else withheld."""

    count: int

    @property
    def suppressed(self) -> bool:
        return 0 < self.count < SUPPRESS_BELOW

    @property
    def shown(self) -> int | None:
        return None if self.suppressed else self.count


@dataclass(frozen=True)
class Figures:
    """Everything the dashboard shows, for the months in `months`."""

    months: list[str]
    by_kind: dict[str, dict[str, int]]
    declined: dict[str, int]
    gifts: dict[str, int]
    decision_times: DecisionTimes
    late: int
    late_by_kind: dict[str, int]
    interests_by_type: dict[str, int]
    quarters: list[str]
    report_categories: dict[str, dict[str, ReportCell]] = field(default_factory=dict)

    def declined_share(self, month: str) -> float | None:
        total = self.gifts.get(month, 0)
        return None if total == 0 else self.declined.get(month, 0) / total


def quarter_of(day: dt.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def compute_figures(session: Session, rules: CaseworkRules, last_month: str, today: dt.date,
                    months: int = 12) -> Figures:
    """The figures for the `months` calendar months ending with `last_month` ('YYYY-MM')."""
    labels = months_ending(last_month, months)
    since, until = month_start(labels[0]), month_start(next_month(labels[-1]))
    in_window = and_(Declaration.submitted_at >= since, Declaration.submitted_at < until)
    month = _MonthOf(Declaration.submitted_at)

    by_kind: dict[str, dict[str, int]] = {kind.value: dict.fromkeys(labels, 0)
                                          for kind in DeclarationKind}
    for kind, label, count in session.execute(
            select(Declaration.kind, month, func.count()).where(in_window)
            .group_by(Declaration.kind, month)):
        by_kind.setdefault(kind, dict.fromkeys(labels, 0))[label] = count

    gifts = dict.fromkeys(labels, 0)
    declined = dict.fromkeys(labels, 0)
    for outcome, label, count in session.execute(
            select(Declaration.outcome, month, func.count())
            .where(in_window, Declaration.kind == DeclarationKind.GIFT_HOSPITALITY)
            .group_by(Declaration.outcome, month)):
        gifts[label] += count
        if outcome == "declined":
            declined[label] += count

    days = _DaysBetween(Declaration.submitted_at, Declaration.decided_at)
    spread: dict[str, list[int]] = defaultdict(list)
    for label, taken in session.execute(
            select(month, days).where(in_window, Declaration.decided_at.is_not(None))):
        spread[label].append(int(taken))
    times = DecisionTimes(
        decided={label: len(spread[label]) for label in labels},
        median_days={label: statistics.median(spread[label]) if spread[label] else None
                     for label in labels},
        over_target={label: sum(1 for d in spread[label] if d > rules.decision_target_days)
                     for label in labels},
        target_days=rules.decision_target_days)

    # Late: still waiting for a first decision past the filed due date, or past the target
    # when the workflow set none (followup.decision_due's rule, in SQL).
    target_cutoff = dt.datetime.combine(today - dt.timedelta(days=rules.decision_target_days),
                                        dt.time(), tzinfo=dt.UTC)
    late_rule = and_(Declaration.status.in_([str(s) for s in OPEN_STATUSES]), or_(
        Declaration.decision_due < today,
        and_(Declaration.decision_due.is_(None), Declaration.submitted_at < target_cutoff)))
    late_by_kind = {kind: count for kind, count in session.execute(
        select(Declaration.kind, func.count()).where(late_rule).group_by(Declaration.kind))}

    interests: dict[str, int] = defaultdict(int)
    for answers, in session.execute(select(Declaration.answers).where(
            in_window, Declaration.kind == DeclarationKind.BUSINESS_INTEREST)):
        kind = (answers or {}).get("interest_type") or "not_stated"
        interests[str(kind)] += 1

    quarters = list(dict.fromkeys(quarter_of(month_start(label).date()) for label in labels))
    reports: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(quarters, 0))
    for category, received in session.execute(select(Report.category, Report.received_on).where(
            Report.received_on >= since.date(), Report.received_on < until.date())):
        reports[category][quarter_of(received)] += 1
    return Figures(
        months=labels, by_kind=by_kind, declined=declined, gifts=gifts, decision_times=times,
        late=sum(late_by_kind.values()), late_by_kind=late_by_kind,
        interests_by_type=dict(sorted(interests.items(), key=lambda item: -item[1])),
        quarters=quarters,
        report_categories={category: {q: ReportCell(n) for q, n in counts.items()}
                           for category, counts in sorted(reports.items())})
