"""Schedules as rows: each fires once per period, however many workers are running.

A due schedule row is taken with ``FOR UPDATE SKIP LOCKED`` (SQLite: the write lock), its
next run moved on and its job enqueued in one transaction, and the job's idempotency key
names the period, so even two instances that both saw it due make one job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.jobs.queue import enqueue
from bot.jobs.registry import Schedule
from bot.jobs.timing import Timing
from bot.store.models import JobSchedule


def sync_schedules(session: Session, schedules: Iterable[Schedule], now: dt.datetime,
                   zone: ZoneInfo) -> None:
    """Make a row for each schedule, and re-time rows whose timing or kind changed."""
    for schedule in schedules:
        row = session.get(JobSchedule, schedule.name)
        if row is None:
            try:
                with session.begin_nested():
                    session.add(JobSchedule(
                        name=schedule.name, kind=schedule.kind, timing=schedule.timing.text,
                        next_run_at=schedule.timing.next_after(now, zone)))
            except IntegrityError:
                pass  # another instance made it first; theirs is the same
            continue
        if row.timing != schedule.timing.text or row.kind != schedule.kind:
            row.timing = schedule.timing.text
            row.kind = schedule.kind
            row.next_run_at = schedule.timing.next_after(now, zone)


def fire_due(session: Session, schedules: Iterable[Schedule], now: dt.datetime,
             zone: ZoneInfo) -> list[str]:
    """Enqueue the job of every schedule due at `now`; the names fired.

    A schedule missed for several periods (no worker was running) fires once, not once
    for each missed period, and then waits for its next time after now.
    """
    by_name = {schedule.name: schedule for schedule in schedules}
    if not by_name:
        return []
    rows = session.scalars(
        select(JobSchedule).where(JobSchedule.name.in_(sorted(by_name)),
                                  JobSchedule.next_run_at <= now)
        .order_by(JobSchedule.name).with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).all()
    fired = []
    for row in rows:
        schedule = by_name[row.name]
        period = row.next_run_at
        enqueue(session, schedule.kind, {**schedule.payload, "period": period.isoformat()},
                idempotency_key=f"schedule:{row.name}:{period.isoformat()}", run_at=now)
        row.last_run_at = now
        row.next_run_at = Timing.parse(row.timing).next_after(now, zone)
        fired.append(row.name)
    return fired


def fire_now(session: Session, schedule: Schedule, now: dt.datetime) -> int:
    """Enqueue `schedule`'s job at once, outside its timing (an operator's "run it now");
    its next run stays as it was. Returns the job's id."""
    return enqueue(session, schedule.kind, {**schedule.payload, "period": "now"},
                   idempotency_key=f"schedule:{schedule.name}:now:{now.isoformat()}",
                   run_at=now)


@dataclass(frozen=True)
class ScheduleStatus:
    """One schedule as `probity jobs` shows it."""

    name: str
    kind: str
    timing: str
    next_run_at: dt.datetime | None
    last_run_at: dt.datetime | None
    #: False when no handler for its kind is registered in this process.
    active: bool


def schedule_statuses(session: Session, schedules: Iterable[Schedule], active_kinds: set[str],
                      now: dt.datetime, zone: ZoneInfo) -> list[ScheduleStatus]:
    """Every registered schedule with its stored next run (or the one it would get)."""
    statuses = []
    for schedule in schedules:
        row = session.get(JobSchedule, schedule.name)
        statuses.append(ScheduleStatus(
            schedule.name, schedule.kind, schedule.timing.text,
            row.next_run_at if row else schedule.timing.next_after(now, zone),
            row.last_run_at if row else None, schedule.kind in active_kinds))
    return statuses
