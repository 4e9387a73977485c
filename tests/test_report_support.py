"""Shared helpers for the reporting tests (no tests here): a clock tests can move, a context."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.config import Settings
from bot.reporting import ReportContent, ReportingContext, announce_due
from bot.store import Store

HANDLER_KEY = "hwright"


class FakeClock:
    """A clock that stands still until a test moves it, so throttling tests never sleep."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 3, 2, 10, 15, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def reporting_context(settings: Settings, clock: FakeClock,
                      handlers: tuple[str, ...] = (HANDLER_KEY,)) -> ReportingContext:
    return ReportingContext.from_settings(replace(settings, handlers=handlers), clock=clock)


def announce(store: Store, context: ReportingContext, clock: FakeClock) -> list[str]:
    """Move the clock past every report's random delay and announce them, as the notice job
    would; handlers see a report only after this. Returns the references announced."""
    clock.advance(minutes=context.notify_delay_max_minutes, seconds=1)
    with store.transaction() as session:
        return [notice.reference for notice in announce_due(session, context)]


def sample_content(**changes: str) -> ReportContent:
    values = {
        "category": "misuse of police systems",
        "what_happened": "A sergeant looked up his neighbour's address on the PNC.",
        "when_and_where": "Late February, Eastgate custody suite",
        "who_is_involved": "Sgt Blue",
        "evidence": "I saw the screen",
        "raised_elsewhere": "no",
    }
    values.update(changes)
    return ReportContent(**values)
