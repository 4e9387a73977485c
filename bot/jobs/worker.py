"""The worker: fires due schedules, claims due jobs and runs each through its handler.

Run it in its own process (`probity worker`), in a thread of `probity serve`, or until the
queue is empty (`probity worker --until-idle`, tests). Any number of workers may share one
PostgreSQL store; with SQLite run one process.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.jobs.queue import (
    DEFAULT_LEASE,
    GiveUp,
    JobView,
    claim,
    held_by,
    mark_done,
    mark_failed_attempt,
)
from bot.jobs.registry import HandlerEntry, Registry
from bot.jobs.schedules import fire_due, sync_schedules
from bot.messages import say
from bot.store import Store
from bot.store.models import utcnow

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def worker_name() -> str:
    """host:pid:random, so a lease names the process holding it."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    """One worker on a store, running the jobs its registry has handlers for."""

    def __init__(self, store: Store, registry: Registry, *, zone: ZoneInfo | None = None,
                 clock: Clock = utcnow, name: str | None = None,
                 lease: dt.timedelta = DEFAULT_LEASE, batch: int = 10) -> None:
        self.store = store
        self.registry = registry
        self.zone = zone or ZoneInfo("Europe/London")
        self.clock = clock
        self.name = name or worker_name()
        self.lease = lease
        self.batch = batch
        self._synced = False

    def fire_schedules(self) -> list[str]:
        """Enqueue the jobs of schedules now due; the names fired."""
        schedules = self.registry.active_schedules
        if not self._synced:
            with self.store.transaction() as session:
                sync_schedules(session, schedules, self.clock(), self.zone)
            self._synced = True
        with self.store.transaction() as session:
            return fire_due(session, schedules, self.clock(), self.zone)

    def run_once(self) -> int:
        """Fire due schedules, then claim and run one batch; how many jobs were run."""
        self.fire_schedules()
        with self.store.transaction() as session:
            jobs = claim(session, self.name, self.registry.kinds, self.clock(), self.lease,
                         self.batch)
        for job in jobs:
            self.run_job(job)
        return len(jobs)

    def run_until_idle(self, max_rounds: int = 10_000) -> int:
        """Run until nothing is due; how many jobs were run (a retry counts again)."""
        total = 0
        for _ in range(max_rounds):
            ran = self.run_once()
            if not ran:
                break
            total += ran
        return total

    def run_forever(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        """Work until `stop` is set, pausing `poll_seconds` whenever the queue is empty."""
        log.info("job worker %s started", self.name)
        while not stop.is_set():
            try:
                ran = self.run_once()
            except Exception:  # the store went away for a moment: keep going
                log.exception("job worker round failed")
                ran = 0
            if not ran:
                stop.wait(poll_seconds)
        log.info("job worker %s stopped", self.name)

    def start_in_thread(self, poll_seconds: float = 1.0) -> threading.Event:
        """Work in a daemon thread; set the returned event to stop it."""
        stop = threading.Event()
        threading.Thread(target=self.run_forever, args=(stop, poll_seconds), daemon=True,
                         name="probity-jobs").start()
        return stop

    def run_job(self, job: JobView) -> None:
        entry = self.registry.handler(job.kind)
        if entry is None:  # claim only takes registered kinds; a registry changed under us
            return
        limit = entry.max_attempts or job.max_attempts
        if job.attempt > limit:
            # Its earlier runs never came back (the worker died each time): stop here.
            self._failed(job, entry, GiveUp(say("jobs.worker_lost", attempts=job.attempt - 1)))
            return
        try:
            if entry.in_transaction:
                self._run_in_transaction(job, entry)
            else:
                entry.run(job)
                self._finish(job)
        except Exception as error:
            # Log the kind and id only: a handler's error may quote what it was sending.
            log.warning("job %s (%s) attempt %d failed: %s", job.id, job.kind, job.attempt,
                        type(error).__name__)
            self._failed(job, entry, error)

    def _run_in_transaction(self, job: JobView, entry: HandlerEntry) -> None:
        with self.store.transaction() as session:
            row = held_by(session, job.id, self.name)
            if row is None:
                return
            entry.run(session, job)
            mark_done(session, row, self.clock())

    def _finish(self, job: JobView) -> None:
        with self.store.transaction() as session:
            row = held_by(session, job.id, self.name)
            if row is not None:
                mark_done(session, row, self.clock())

    def _failed(self, job: JobView, entry: HandlerEntry, error: BaseException) -> None:
        with self.store.transaction() as session:
            row = held_by(session, job.id, self.name)
            if row is not None:
                mark_failed_attempt(row, error, self.clock(), entry.max_attempts)
