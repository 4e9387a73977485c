"""The dashboard, its chart images, and the monthly summary for chief officers."""

from __future__ import annotations

import re

from starlette.responses import Response

from bot.campaigns.service import completion
from bot.casework.figures import months_ending
from bot.surfaces.web.console import charts
from bot.surfaces.web.console.context import ConsoleContext
from bot.surfaces.web.console.dashboard import (
    CHART_NAMES,
    chart_and_table,
    load_figures,
    month_label,
)
from bot.surfaces.web.console.routing import Call

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: A chart is an image: it runs no script, and matplotlib's SVG styles its shapes inline,
#: which the pages' own policy forbids; this policy is for the image alone.
_IMAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def _month(context: ConsoleContext, call: Call) -> str:
    asked = call.arg("month")
    return asked if _MONTH.match(asked) else context.today().strftime("%Y-%m")


def dashboard(context: ConsoleContext, call: Call) -> Response:
    month = _month(context, call)
    figures = load_figures(context.store, context.rules, month, context.today())
    sections = [(name, chart_and_table(figures, name)[1]) for name in CHART_NAMES]
    with context.store.session() as session:
        campaigns = completion(session, context.today())
    # Figures only, no one's record: logged as a view all the same, as inspectors ask.
    context.audit_view(call.user, "dashboard", None, {"month": month})
    return context.render(call.request, "dashboard.html", call.user, month=month,
                          month_name=month_label(month), figures=figures, sections=sections,
                          campaigns=campaigns,
                          choices=months_ending(context.today().strftime("%Y-%m"), 24)[::-1],
                          month_label=month_label)


def monthly_summary(context: ConsoleContext, call: Call) -> Response:
    month = _month(context, call)
    figures = load_figures(context.store, context.rules, month, context.today())
    sections = [(name, chart_and_table(figures, name)[1]) for name in CHART_NAMES]
    this = figures.months[-1]
    context.audit_view(call.user, "monthly_summary", None, {"month": month})
    return context.render(call.request, "monthly_summary.html", call.user, month=month,
                          month_name=month_label(month), figures=figures, sections=sections,
                          this=this, previous=figures.months[-2])


def chart_image(context: ConsoleContext, call: Call) -> Response:
    """/console/charts/NAME.svg or .png for ?month=YYYY-MM (views run in a worker thread,
    so drawing here does not hold up the event loop)."""
    name, fmt = call.request.path_params["name"], call.request.path_params["format"]
    if name not in CHART_NAMES or fmt not in ("svg", "png"):
        return Response(status_code=404)
    month = _month(context, call)
    figures = load_figures(context.store, context.rules, month, context.today())
    chart, _ = chart_and_table(figures, name)
    image = charts.render(chart, fmt)
    return Response(image, media_type="image/svg+xml" if fmt == "svg" else "image/png",
                    headers={"content-security-policy": _IMAGE_POLICY,
                             "cache-control": "private, max-age=60"})
