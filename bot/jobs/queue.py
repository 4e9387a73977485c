"""The job queue on the store: enqueue in the caller's transaction, claim with a lease, then
finish, retry with backoff or fail into the dead-letter state.

The same SQL runs on SQLite and PostgreSQL. On PostgreSQL several workers share the queue:
claiming selects with ``FOR UPDATE SKIP LOCKED``, so two workers never take the same row, and
a running job's row stays locked by its worker's transaction, so another worker takes it only
when that worker is gone and its lease has run out. SQLite ignores the row locks and
serialises writers (``BEGIN IMMEDIATE``), which is right for its one process.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.audit import record_event
from bot.store.models import Job, JobState, utcnow

DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_LEASE = dt.timedelta(minutes=5)
#: Retry n waits BACKOFF_BASE * 2**(n-1), at most BACKOFF_CAP, plus up to a quarter more.
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)
ERROR_CHARS = 2000


@dataclass(frozen=True)
class JobView:
    """One claimed job as plain values, safe to use outside the claiming transaction."""

    id: int
    kind: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    #: 1 on the first run, 2 on the first retry, ...
    attempt: int = 1
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


class RetryLater(Exception):  # noqa: N818 - read as an instruction: "retry later"
    """Raised by a handler for a passing fault: the job runs again after `after` seconds
    (Slack's Retry-After), or after the usual backoff when `after` is None."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


class GiveUp(Exception):  # noqa: N818 - read as an instruction: "give up"
    """Raised by a handler when trying again cannot help (an unknown channel, a revoked
    token): the job goes straight to the failed state with this as its last error."""


def enqueue(
    session: Session,
    kind: str,
    payload: Mapping[str, Any] | None = None,
    *,
    idempotency_key: str | None = None,
    run_at: dt.datetime | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    day_only: bool = False,
) -> int:
    """Add a job in the caller's transaction and return its id.

    It commits with the change that needs it, or not at all: a rollback leaves no job, and
    a crash after commit loses none. With `idempotency_key`, enqueuing the same key again
    (a retried request, a second instance firing the same schedule) returns the first
    job's id and adds nothing. `payload` must be JSON: plain values, ids and references,
    never report content or anything about a reporter.

    `day_only` is for jobs about a report: the row keeps no time finer than its day (it is
    due from the start of that day), and is deleted the moment it is done, so nothing
    stored times the report even to within its random announcement delay.
    """
    # A JSON round trip refuses what the column could not hold, here rather than at flush.
    body = json.loads(json.dumps(dict(payload or {})))
    when = run_at or utcnow()
    job = Job(kind=kind, payload=body, state=JobState.QUEUED,
              run_at=day_start(when) if day_only else when, attempts=0,
              max_attempts=max_attempts, idempotency_key=idempotency_key, day_only=day_only)
    if idempotency_key is None:
        session.add(job)
        session.flush()
        return job.id
    existing = _job_with_key(session, idempotency_key)
    if existing is not None:
        return existing
    try:
        # A savepoint, so losing a race for the key ends this insert and not the caller's work.
        with session.begin_nested():
            session.add(job)
    except IntegrityError:
        found = _job_with_key(session, idempotency_key)
        if found is None:
            raise
        return found
    return job.id


def _job_with_key(session: Session, key: str) -> int | None:
    return session.scalars(select(Job.id).where(Job.idempotency_key == key)).first()


def claim(session: Session, worker: str, kinds: Collection[str], now: dt.datetime,
          lease: dt.timedelta = DEFAULT_LEASE, limit: int = 10) -> list[JobView]:
    """Take up to `limit` due jobs of `kinds` for `worker` until now + `lease`.

    Due means queued and not before its time, or running under a lease that has run out
    (its worker died). Commit the caller's transaction at once: the lease and the attempt
    count must be stored before the work starts, so a job that kills its worker is seen.
    """
    if not kinds:
        return []
    due = or_(and_(Job.state == JobState.QUEUED, Job.run_at <= now),
              and_(Job.state == JobState.RUNNING, Job.locked_until < now))
    ids = list(session.scalars(
        select(Job.id).where(due, Job.kind.in_(sorted(kinds)))
        .order_by(Job.run_at, Job.id).limit(limit).with_for_update(skip_locked=True)
    ))
    if not ids:
        return []
    session.execute(update(Job).where(Job.id.in_(ids)).values(
        state=JobState.RUNNING, locked_by=worker, locked_until=now + lease,
        attempts=Job.attempts + 1))
    rows = session.scalars(select(Job).where(Job.id.in_(ids))
                           .order_by(Job.run_at, Job.id)
                           .execution_options(populate_existing=True))
    return [JobView(row.id, row.kind, dict(row.payload), row.attempts, row.max_attempts)
            for row in rows]


def held_by(session: Session, job_id: int, worker: str) -> Job | None:
    """The job row, locked for this transaction, if `worker` still holds it; else None.

    None means another worker took it over after this one's lease ran out: do nothing.
    """
    row = session.scalars(select(Job).where(Job.id == job_id).with_for_update()
                          .execution_options(populate_existing=True)).first()
    if row is None or row.state != JobState.RUNNING or row.locked_by != worker:
        return None
    return row


def day_start(moment: dt.datetime) -> dt.datetime:
    """Midnight UTC of the moment's day: the only time a day-only job keeps."""
    return dt.datetime.combine(moment.astimezone(dt.UTC).date(), dt.time(0), tzinfo=dt.UTC)


def mark_done(session: Session, row: Job, now: dt.datetime) -> None:
    if row.day_only:
        session.delete(row)
        return
    row.state = JobState.DONE
    row.finished_at = now
    row.locked_by = None
    row.locked_until = None
    row.last_error = None


def mark_failed_attempt(row: Job, error: BaseException, now: dt.datetime,
                        max_attempts: int | None = None) -> None:
    """Queue the job again after a backoff, or move it to failed with the error kept."""
    row.last_error = describe(error)
    row.locked_by = None
    row.locked_until = None
    limit = max_attempts or row.max_attempts
    if isinstance(error, GiveUp) or row.attempts >= limit:
        row.state = JobState.FAILED
        row.finished_at = day_start(now) if row.day_only else now
        if row.day_only:
            row.run_at = day_start(row.run_at)
        return
    row.state = JobState.QUEUED
    after = error.after if isinstance(error, RetryLater) else None
    row.run_at = now + (dt.timedelta(seconds=after) if after is not None
                        else backoff(row.attempts))


def backoff(attempt: int) -> dt.timedelta:
    """How long to wait after failed attempt number `attempt` (1-based)."""
    wait = min(BACKOFF_BASE * 2 ** max(attempt - 1, 0), BACKOFF_CAP)
    # Jitter keeps many jobs that failed together (Slack down) from retrying together.
    return dt.timedelta(seconds=wait.total_seconds() * (1 + random.random() / 4))


def describe(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return text[:ERROR_CHARS]


def counts(session: Session) -> dict[str, int]:
    """How many jobs are in each state; every state is present."""
    found = dict(session.execute(select(Job.state, func.count()).group_by(Job.state)).all())
    return {state.value: int(found.get(state.value, 0)) for state in JobState}


def failed_jobs(session: Session, limit: int = 50) -> list[Job]:
    return list(session.scalars(select(Job).where(Job.state == JobState.FAILED)
                                .order_by(Job.id).limit(limit)))


class NotFailed(LookupError):
    """The job named is not in the failed state (or does not exist)."""


def retry_failed(session: Session, job_id: int, actor: str, now: dt.datetime) -> Job:
    """Queue a failed job to run now with a fresh count of attempts; audited."""
    row = _failed(session, job_id)
    row.state = JobState.QUEUED
    row.attempts = 0
    row.run_at = day_start(now) if row.day_only else now
    row.finished_at = None
    record_event(session, actor, "job.retried", f"job:{row.id}", {"kind": row.kind})
    return row


def drop_failed(session: Session, job_id: int, actor: str) -> str:
    """Delete a failed job for good; audited. Returns its kind."""
    row = _failed(session, job_id)
    kind = row.kind
    record_event(session, actor, "job.dropped", f"job:{row.id}",
                 {"kind": kind, "attempts": row.attempts})
    session.delete(row)
    return kind


def _failed(session: Session, job_id: int) -> Job:
    row = session.scalars(select(Job).where(Job.id == job_id).with_for_update()).first()
    if row is None or row.state != JobState.FAILED:
        raise NotFailed(job_id)
    return row


def purge_finished(session: Session, before: dt.datetime) -> int:
    """Delete done jobs finished before `before`; failed ones wait for a person."""
    result = session.execute(delete(Job).where(Job.state == JobState.DONE,
                                               Job.finished_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
