"""When a schedule runs: "every 5m", "daily 08:00" or "weekly mon 07:30", in local time.

A schedule's periods are fixed by its timing alone (an "every" timing counts from the Unix
epoch, a daily or weekly one from the local clock), so every instance agrees on which
period a moment belongs to, and a schedule can be made to fire once per period.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.messages import say

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EVERY = re.compile(r"every\s+(\d+)\s*([smhd])")
_DAILY = re.compile(r"daily\s+(\d{1,2}):(\d{2})")
_WEEKLY = re.compile(r"weekly\s+(mon|tue|wed|thu|fri|sat|sun)\s+(\d{1,2}):(\d{2})")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class TimingError(ValueError):
    """A timing that is not one of the forms above; the message shows them."""


@dataclass(frozen=True)
class Timing:
    """A parsed timing; `next_after` gives the first run strictly after a moment."""

    text: str
    every_seconds: int | None = None
    at: dt.time | None = None
    weekday: int | None = None

    @classmethod
    def parse(cls, text: str) -> Timing:
        written = " ".join(text.strip().lower().split())
        if match := _EVERY.fullmatch(written):
            seconds = int(match[1]) * _UNITS[match[2]]
            if seconds <= 0:
                raise TimingError(say("jobs.timing_zero", timing=text))
            return cls(written, every_seconds=seconds)
        if match := _DAILY.fullmatch(written):
            return cls(written, at=_clock(text, match[1], match[2]))
        if match := _WEEKLY.fullmatch(written):
            return cls(written, at=_clock(text, match[2], match[3]),
                       weekday=_DAYS.index(match[1]))
        raise TimingError(say("jobs.timing_unknown", timing=text))

    def next_after(self, moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
        """The first run after `moment` (UTC in, UTC out)."""
        if self.every_seconds is not None:
            elapsed = int((moment - EPOCH).total_seconds())
            return EPOCH + dt.timedelta(seconds=(elapsed // self.every_seconds + 1)
                                        * self.every_seconds)
        assert self.at is not None
        local = moment.astimezone(zone)
        day = local.date()
        for _ in range(9):
            candidate = _local_instant(day, self.at, zone)
            if candidate > moment and (self.weekday is None or day.weekday() == self.weekday):
                return candidate
            day += dt.timedelta(days=1)
        raise AssertionError(self.text)  # unreachable: every week has the weekday


def _clock(text: str, hours: str, minutes: str) -> dt.time:
    if int(hours) > 23 or int(minutes) > 59:
        raise TimingError(say("jobs.timing_clock", timing=text))
    return dt.time(int(hours), int(minutes))


def _local_instant(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    # A wall time skipped by the clocks going forward maps past the gap; one repeated when
    # they go back is its first occurrence (fold=0), so it still runs once that day.
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)
