"""What every reporting call needs besides a session: sealer, spool, clock and rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.reporting.categories import load_report_categories
from bot.reporting.sealing import Sealer
from bot.reporting.throttle import PROCESS_LIMITER, GuessLimiter
from bot.reporting.vault.spool import SPOOL_DIR, Spool
from bot.store.models import utcnow

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class ReportingContext:
    """Built once per process from settings; tests pass their own clock and limiter."""

    sealer: Sealer
    #: Where reporters' writes wait for the next batch (bot.reporting.vault.spool).
    spool: Spool
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    #: Directory keys or Slack user ids of the integrity-unit members who handle reports.
    handlers: frozenset[str] = frozenset()
    #: The daily batch runs at a random moment up to this many minutes after midnight.
    batch_window_minutes: int = 90
    guesses: GuessLimiter = field(default_factory=lambda: PROCESS_LIMITER)
    clock: Clock = utcnow
    #: The report workflow's categories (value -> label): the only values stored in clear.
    categories: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = utcnow,
                      guesses: GuessLimiter | None = None,
                      categories: Mapping[str, str] | None = None) -> ReportingContext:
        """`categories` from the root's workflow catalogue; else read from the workflows."""
        sealer = Sealer.from_settings(settings)
        return cls(
            sealer=sealer,
            spool=Spool(settings.home / SPOOL_DIR, sealer, settings.zone),
            zone=settings.zone,
            handlers=frozenset(settings.handlers),
            batch_window_minutes=settings.report_notify_delay_max_minutes,
            guesses=guesses or PROCESS_LIMITER,
            clock=clock,
            categories=categories if categories is not None else load_report_categories(
                settings.workflows_dir, settings.policies_dir),
        )

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self) -> dt.date:
        """The local date: what a person in the force would call today."""
        return self.clock().astimezone(self.zone).date()
