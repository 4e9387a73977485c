"""Shared helpers for the reporting tests (no tests here): a movable clock, a context, batches."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from bot.config import Settings
from bot.reporting import ReportContent, ReportingContext, announce_due
from bot.reporting.throttle import GuessLimiter
from bot.reporting.vault.batch import apply_batch_if_due, batch_moment
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
    # A limiter of its own, so one test's guesses never carry into the next.
    return ReportingContext.from_settings(replace(settings, handlers=handlers), clock=clock,
                                          guesses=GuessLimiter())


def next_batch(store: Store, context: ReportingContext, clock: FakeClock) -> None:
    """Move the clock to the next day's batch moment and run the batch, as the schedule
    would: reporters' writes reach the vault only then."""
    tomorrow = context.today() + dt.timedelta(days=1)
    clock.now = batch_moment(context, tomorrow)
    assert apply_batch_if_due(store, context, random.Random(7)) is not None


def announce(store: Store, context: ReportingContext, clock: FakeClock) -> list[str]:
    """Run the next batch and announce what it brought, as the notice job would; handlers
    see a report only after this. Returns the references announced."""
    next_batch(store, context, clock)
    with store.transaction() as session:
        return [notice.reference for notice in announce_due(session, context)]


def vault_is_empty(store: Store) -> bool:
    """No report, message or failure in the vault (before the batch, reporters' writes wait
    in the spool)."""
    from sqlalchemy import func, select

    from bot.store.vault.models import ReceiptFailure, Report, ReportMessage

    with store.session() as session:
        return all(session.scalar(select(func.count()).select_from(model)) == 0
                   for model in (Report, ReportMessage, ReceiptFailure))


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
