"""The dashboard's and monthly summary's charts and tables, from the casework figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.casework.figures import Figures, compute_figures
from bot.casework.labels import kind_label
from bot.messages import say
from bot.store import Store
from bot.surfaces.web.console.charts import Chart

CHART_NAMES = ("by_kind", "declined", "decision_times", "late", "interests", "reports")


@dataclass(frozen=True)
class Table:
    """A chart's figures as rows, for the table beside it."""

    caption: str
    headings: list[str]
    rows: list[list[str]]


def month_label(label: str) -> str:
    year, month = (int(part) for part in label.split("-"))
    return dt.date(year, month, 1).strftime("%b %Y")


def load_figures(store: Store, rules: object, month: str, today: dt.date) -> Figures:
    with store.session() as session:
        return compute_figures(session, rules, month, today)  # type: ignore[arg-type]


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f}%"


def chart_and_table(figures: Figures, name: str) -> tuple[Chart, Table]:
    months = [month_label(m) for m in figures.months]
    if name == "by_kind":
        series = {kind_label(kind): [counts[m] for m in figures.months]
                  for kind, counts in figures.by_kind.items()}
        return (Chart(say("console.chart_by_kind"), months, series, "stacked",
                      say("console.axis_declarations")),
                Table(say("console.chart_by_kind"), [say("console.col_month"), *series],
                      [[label, *(str(values[i]) for values in series.values())]
                       for i, label in enumerate(months)]))
    if name == "declined":
        shares = [figures.declined_share(m) for m in figures.months]
        return (Chart(say("console.chart_declined"), months,
                      {say("console.series_declined"):
                       [float("nan") if s is None else s * 100 for s in shares]},
                      "line", say("console.axis_percent")),
                Table(say("console.chart_declined"),
                      [say("console.col_month"), say("console.col_gifts"),
                       say("console.col_declined"), say("console.col_share")],
                      [[label, str(figures.gifts[m]), str(figures.declined[m]),
                        _percent(shares[i])]
                       for i, (label, m) in enumerate(zip(months, figures.months,
                                                          strict=True))]))
    if name == "decision_times":
        times = figures.decision_times
        medians = [times.median_days[m] for m in figures.months]
        target = say("console.series_target", days=times.target_days)
        return (Chart(say("console.chart_decision_times"), months,
                      {say("console.series_median"):
                       # A month with no decisions is a gap in the line, not a zero.
                       [float("nan") if v is None else v for v in medians]}, "line",
                      say("console.axis_days"), times.target_days, target),
                Table(say("console.chart_decision_times"),
                      [say("console.col_month"), say("console.col_decided"),
                       say("console.col_median"), say("console.col_over_target")],
                      [[label, str(times.decided[m]),
                        "-" if medians[i] is None else f"{medians[i]:g}",
                        str(times.over_target[m])]
                       for i, (label, m) in enumerate(zip(months, figures.months,
                                                          strict=True))]))
    if name == "late":
        kinds = list(figures.by_kind)
        counts = [figures.late_by_kind.get(kind, 0) for kind in kinds]
        names = [kind_label(kind) for kind in kinds]
        return (Chart(say("console.chart_late"), names,
                      {say("console.series_late"): counts}, "bar",
                      say("console.axis_declarations")),
                Table(say("console.chart_late"), [say("console.col_kind"),
                                                  say("console.col_late")],
                      [[n, str(c)] for n, c in zip(names, counts, strict=True)]))
    if name == "interests":
        types = list(figures.interests_by_type)
        names = [t.replace("_", " ").capitalize() for t in types]
        counts = [figures.interests_by_type[t] for t in types]
        return (Chart(say("console.chart_interests"), names,
                      {say("console.series_interests"): counts}, "bar",
                      say("console.axis_declarations")),
                Table(say("console.chart_interests"), [say("console.col_type"),
                                                       say("console.col_count")],
                      [[n, str(c)] for n, c in zip(names, counts, strict=True)]))
    if name == "reports":
        # Suppressed counts are drawn as nothing and shown as "fewer than 5" in the table.
        series = {category.replace("_", " ").capitalize():
                  [cells[q].shown or 0 for q in figures.quarters]
                  for category, cells in figures.report_categories.items()}
        rows = [[category.replace("_", " ").capitalize(),
                 *(say("console.suppressed") if cells[q].suppressed else str(cells[q].count)
                   for q in figures.quarters)]
                for category, cells in figures.report_categories.items()]
        return (Chart(say("console.chart_reports"), figures.quarters, series, "bar",
                      say("console.axis_reports")),
                Table(say("console.chart_reports"), [say("console.col_category"),
                                                     *figures.quarters], rows))
    raise KeyError(name)
