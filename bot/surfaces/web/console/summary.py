"""The chief officers' monthly summary as a Slack message with chart images (PNG)."""

from __future__ import annotations

import datetime as dt

from bot.casework.rules import CaseworkRules
from bot.config import Settings
from bot.messages import say
from bot.store import Store
from bot.surfaces.web.console import charts
from bot.surfaces.web.console.dashboard import (
    CHART_NAMES,
    chart_and_table,
    load_figures,
    month_label,
)

#: The charts a Slack summary carries; the rest are on the printable page.
SLACK_CHARTS = ("by_kind", "decision_times", "declined", "reports")


def summary_text(store: Store, rules: CaseworkRules, month: str, today: dt.date) -> str:
    """The summary's sentences and tables as plain text (Slack's message, the terminal)."""
    figures = load_figures(store, rules, month, today)
    this, before = figures.months[-1], figures.months[-2]
    lines = [
        say("console.summary_title", month=month_label(month)), "",
        "- " + say("console.summary_filed",
                   count=sum(c[this] for c in figures.by_kind.values()),
                   before=sum(c[before] for c in figures.by_kind.values())),
        "- " + say("console.summary_decided", count=figures.decision_times.decided[this],
                   late=figures.decision_times.over_target[this],
                   days=figures.decision_times.target_days),
        "- " + say("console.summary_waiting_late", count=figures.late),
    ]
    for name in CHART_NAMES:
        _, table = chart_and_table(figures, name)
        if not table.rows:
            continue
        lines += ["", table.caption, " | ".join(table.headings)]
        lines += [" | ".join(row) for row in table.rows[-3:]]
    return "\n".join(lines)


def post_summary(store: Store, settings: Settings, rules: CaseworkRules, month: str,
                 today: dt.date, channel: str) -> int:
    """Post the summary text, then each chart as a PNG in its thread; returns the charts sent."""
    import os

    from bot.surfaces.slack.app import web_client

    client = web_client(os.environ.get("SLACK_BOT_TOKEN"), settings.slack_api_url)
    posted = client.chat_postMessage(channel=channel,
                                     text=summary_text(store, rules, month, today))
    figures = load_figures(store, rules, month, today)
    sent = 0
    for name in SLACK_CHARTS:
        chart, table = chart_and_table(figures, name)
        if not table.rows:
            continue
        client.files_upload_v2(channel=channel, thread_ts=posted["ts"],
                               content=charts.render(chart, "png"), filename=f"{name}.png",
                               title=table.caption,
                               alt_txt=say("console.chart_alt", title=table.caption))
        sent += 1
    return sent
