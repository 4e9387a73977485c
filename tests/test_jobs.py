"""The job runner on both backends: enqueue with a change, retries, dead letters, schedules,
and workers sharing one queue (run with PROBITY_TEST_DATABASE_URL for PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.jobs import GiveUp, JobView, Registry, RetryLater, Worker, enqueue
from bot.jobs.queue import BACKOFF_BASE
from bot.jobs.timing import Timing, TimingError
from bot.store import Store
from bot.store.models import AuditEvent, Job, JobSchedule, ProcessedDelivery

LONDON = ZoneInfo("Europe/London")
START = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def effect(session, job: JobView) -> None:  # type: ignore[no-untyped-def]
    """The work the test jobs do: one row whose primary key refuses a second run."""
    session.add(ProcessedDelivery(key=f"effect:{job.payload['n']}"))


def effects(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(ProcessedDelivery).where(
            ProcessedDelivery.key.like("effect:%"))) or 0


def states(store: Store) -> Counter[str]:
    with store.session() as session:
        return Counter(session.scalars(select(Job.state)))


def effect_registry() -> Registry:
    registry = Registry()
    registry.handle("test.effect", effect)
    return registry


def test_a_job_enqueued_with_a_change_runs_once_after_it_commits(store: Store) -> None:
    with store.transaction() as session:
        job_id = enqueue(session, "test.effect", {"n": 1})
    worker = Worker(store, effect_registry(), clock=Clock())
    assert worker.run_until_idle() == 1
    assert worker.run_until_idle() == 0
    assert effects(store) == 1
    with store.session() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.state == "done" and job.attempts == 1


def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(store: Store) -> None:
    class ChangeRefused(Exception):
        pass

    with pytest.raises(ChangeRefused), store.transaction() as session:
        enqueue(session, "test.effect", {"n": 1})
        raise ChangeRefused
    assert Worker(store, effect_registry(), clock=Clock()).run_until_idle() == 0
    assert effects(store) == 0 and states(store) == Counter()


def test_the_same_idempotency_key_makes_one_job(store: Store) -> None:
    with store.transaction() as session:
        first = enqueue(session, "test.effect", {"n": 1}, idempotency_key="slack:Ev1")
    with store.transaction() as session:
        again = enqueue(session, "test.effect", {"n": 1}, idempotency_key="slack:Ev1")
    assert first == again
    assert Worker(store, effect_registry(), clock=Clock()).run_until_idle() == 1
    assert effects(store) == 1


def test_a_payload_that_is_not_json_is_refused_when_enqueued(store: Store) -> None:
    with pytest.raises(TypeError), store.transaction() as session:
        enqueue(session, "test.effect", {"when": dt.date(2027, 1, 1)})


def test_a_failing_job_backs_off_then_fails_with_its_last_error(store: Store) -> None:
    calls: list[int] = []

    def flaky(session, job: JobView) -> None:  # type: ignore[no-untyped-def]
        calls.append(job.attempt)
        session.add(ProcessedDelivery(key=f"partial:{job.attempt}"))  # rolled back each time
        raise ConnectionError(f"directory offline (attempt {job.attempt})")

    registry = Registry()
    registry.handle("test.flaky", flaky, max_attempts=3)
    clock = Clock()
    with store.transaction() as session:
        job_id = enqueue(session, "test.flaky")
    worker = Worker(store, registry, clock=clock)
    assert worker.run_until_idle() == 1
    assert worker.run_until_idle() == 0  # backing off: not due yet
    with store.session() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.state == "queued"
        assert START + BACKOFF_BASE <= job.run_at <= START + BACKOFF_BASE * 1.25
    clock.advance(minutes=1)
    assert worker.run_until_idle() == 1  # second attempt, waits about a minute for the third
    clock.advance(seconds=30)
    assert worker.run_until_idle() == 0
    clock.advance(minutes=2)
    assert worker.run_until_idle() == 1
    assert calls == [1, 2, 3]
    with store.session() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.state == "failed"
        assert job.last_error == "ConnectionError: directory offline (attempt 3)"
        assert session.scalar(select(func.count()).select_from(ProcessedDelivery)) == 0
    clock.advance(days=1)
    assert worker.run_until_idle() == 0  # dead letters stay put


def test_retry_later_waits_the_time_given_and_give_up_fails_at_once(store: Store) -> None:
    def rate_limited(job: JobView) -> None:
        if job.attempt == 1:
            raise RetryLater("Slack rate limit", after=7)

    def refused(job: JobView) -> None:
        raise GiveUp("channel_not_found")

    registry = Registry()
    registry.deliver("test.limited", rate_limited)
    registry.deliver("test.refused", refused)
    clock = Clock()
    with store.transaction() as session:
        limited = enqueue(session, "test.limited")
        dead = enqueue(session, "test.refused")
    worker = Worker(store, registry, clock=clock)
    worker.run_until_idle()
    with store.session() as session:
        assert session.get(Job, limited).run_at == START + dt.timedelta(seconds=7)  # type: ignore[union-attr]
        refused_job = session.get(Job, dead)
        assert refused_job is not None and refused_job.state == "failed"
        assert refused_job.attempts == 1 and "channel_not_found" in (refused_job.last_error or "")
    clock.advance(seconds=7)
    assert worker.run_until_idle() == 1
    assert states(store) == Counter({"done": 1, "failed": 1})


def test_a_worker_takes_only_the_kinds_it_has_handlers_for(store: Store) -> None:
    with store.transaction() as session:
        enqueue(session, "test.effect", {"n": 1})
        enqueue(session, "slack.dm", {"user": "U1", "text": "hello"})
    assert Worker(store, effect_registry(), clock=Clock()).run_until_idle() == 1
    assert states(store) == Counter({"done": 1, "queued": 1})


def test_failed_jobs_are_listed_retried_and_dropped_from_the_cli_and_audited(
        store: Store, probity_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    with store.transaction() as session:
        retried = enqueue(session, "test.effect", {"n": 1}, max_attempts=1)
        dropped = enqueue(session, "test.effect", {"n": 2}, max_attempts=1)
        session.add(ProcessedDelivery(key="effect:1"))
        session.add(ProcessedDelivery(key="effect:2"))
    Worker(store, effect_registry(), clock=Clock()).run_until_idle()
    assert states(store) == Counter({"failed": 2})

    assert main(["jobs", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["queued"], shown["running"], shown["done"], shown["failed"]) == (0, 0, 0, 2)
    assert [job["id"] for job in shown["failed_jobs"]] == [retried, dropped]
    assert "IntegrityError" in shown["failed_jobs"][0]["last_error"]
    names = {schedule["name"] for schedule in shown["schedules"]}
    assert {"announce-reports", "reporter-audit-batch", "reminders", "purge-drafts",
            "purge-deliveries", "audit-checkpoint"} <= names
    assert all(schedule["next_run"] for schedule in shown["schedules"])

    with store.transaction() as session:
        session.execute(ProcessedDelivery.__table__.delete())
    assert main(["jobs", "retry", str(retried)]) == 0
    assert main(["jobs", "drop", str(dropped)]) == 0
    assert main(["jobs", "drop", str(retried)]) == 1  # queued again: not a failed job
    out = capsys.readouterr()
    assert f"Job {retried} (test.effect) is queued to run again." in out.out
    assert "only failed jobs" in out.err
    assert Worker(store, effect_registry(), clock=Clock(START + dt.timedelta(hours=1))
                  ).run_until_idle() == 1
    assert states(store) == Counter({"done": 1})
    with store.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("job.%"))
                                 .order_by(AuditEvent.id)).all()
        assert [(e.action, e.subject) for e in events] == [
            ("job.retried", f"job:{retried}"), ("job.dropped", f"job:{dropped}")]
        assert events[0].actor.startswith("operator:")


def test_probity_worker_until_idle_runs_due_schedules_and_exits(
        store: Store, probity_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--until-idle"]) == 0
    assert "nothing else is due" in capsys.readouterr().out
    with store.session() as session:
        schedules = {row.name: row for row in session.scalars(select(JobSchedule))}
    # The audit checkpoint has its handler (bot.store.anchor), so it is scheduled too.
    assert "reminders" in schedules and "audit-checkpoint" in schedules
    assert main(["jobs"]) == 0
    shown = capsys.readouterr().out
    assert "Jobs: 0 queued, 0 running" in shown and "reminders" in shown
    assert "audit-checkpoint" in shown and "reporter-batch" in shown


def test_a_schedule_fires_once_per_period_across_two_instances(store: Store) -> None:
    registry = Registry()
    registry.handle("test.tick", lambda session, job: None)
    registry.schedule("tick-hourly", "test.tick", "every 1h")
    clock = Clock(dt.datetime(2027, 3, 1, 9, 59, tzinfo=dt.UTC))
    workers = [Worker(store, registry, clock=clock, name=f"instance-{n}") for n in (1, 2)]
    for worker in workers:
        worker.fire_schedules()  # both make the row; neither fires before 10:00
    clock.advance(minutes=1, seconds=30)
    barrier = threading.Barrier(2)
    fired: list[list[str]] = []

    def fire(worker: Worker) -> None:
        barrier.wait()
        fired.append(worker.fire_schedules())

    for _ in range(2):  # this period, then the next one
        threads = [threading.Thread(target=fire, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(map(len, fired)) == [0, 1]
        fired.clear()
        for worker in workers:
            assert worker.fire_schedules() == []
        clock.advance(hours=1)
    with store.session() as session:
        keys = list(session.scalars(select(Job.idempotency_key).order_by(Job.id)))
    assert keys == ["schedule:tick-hourly:2027-03-01T10:00:00+00:00",
                    "schedule:tick-hourly:2027-03-01T11:00:00+00:00"]


def test_a_schedule_missed_for_hours_fires_once_then_keeps_its_timing(store: Store) -> None:
    registry = Registry()
    registry.handle("test.tick", lambda session, job: None)
    registry.schedule("reminders", "test.tick", "daily 08:00")
    clock = Clock(dt.datetime(2027, 3, 1, 7, 0, tzinfo=dt.UTC))
    worker = Worker(store, registry, clock=clock, zone=LONDON)
    assert worker.fire_schedules() == []
    clock.advance(days=2)  # nobody ran a worker for two days
    assert worker.fire_schedules() == ["reminders"]
    assert worker.fire_schedules() == []
    with store.session() as session:
        row = session.get(JobSchedule, "reminders")
        assert row is not None and row.next_run_at == dt.datetime(2027, 3, 3, 8, 0,
                                                                 tzinfo=dt.UTC)


def test_timings_are_local_and_survive_the_clocks_changing() -> None:
    daily = Timing.parse("daily 08:00")
    # 08:00 in London is 08:00 UTC in winter and 07:00 UTC in summer (BST from 28 March).
    assert daily.next_after(dt.datetime(2027, 3, 27, 9, tzinfo=dt.UTC), LONDON) == \
        dt.datetime(2027, 3, 28, 7, tzinfo=dt.UTC)
    assert daily.next_after(dt.datetime(2027, 3, 26, 7, tzinfo=dt.UTC), LONDON) == \
        dt.datetime(2027, 3, 26, 8, tzinfo=dt.UTC)
    weekly = Timing.parse("Weekly  MON 07:30")
    assert weekly.text == "weekly mon 07:30"
    assert weekly.next_after(dt.datetime(2027, 3, 3, tzinfo=dt.UTC), LONDON) == \
        dt.datetime(2027, 3, 8, 7, 30, tzinfo=dt.UTC)
    every = Timing.parse("every 5m")
    assert every.next_after(dt.datetime(2027, 3, 3, 10, 4, 59, tzinfo=dt.UTC), LONDON) == \
        dt.datetime(2027, 3, 3, 10, 5, tzinfo=dt.UTC)
    for wrong in ("daily 25:00", "every 0m", "fortnightly", "weekly funday 08:00"):
        with pytest.raises(TimingError):
            Timing.parse(wrong)


def test_schedule_settings_retime_or_turn_off_a_schedule(settings, store: Store) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from bot.jobs.builtin import ScheduleSettingError, build_registry

    registry = build_registry(dataclasses.replace(
        settings, schedules=("reminders=daily 07:15", "late-digest=off")), store)
    timings = {s.name: s.timing.text for s in registry.schedules}
    assert timings["reminders"] == "daily 07:15" and "late-digest" not in timings
    for wrong in (("remindres=daily 07:00",), ("reminders=at seven",), ("reminders",)):
        with pytest.raises(ScheduleSettingError):
            build_registry(dataclasses.replace(settings, schedules=wrong), store)


def test_two_workers_share_a_thousand_jobs_and_do_each_exactly_once(store: Store) -> None:
    with store.transaction() as session:
        for n in range(1000):
            enqueue(session, "test.effect", {"n": n})
    done_by: Counter[str] = Counter()
    lock = threading.Lock()

    def worker(name: str) -> Worker:
        def counted(session, job: JobView) -> None:  # type: ignore[no-untyped-def]
            effect(session, job)
            with lock:
                done_by[name] += 1

        registry = Registry()
        registry.handle("test.effect", counted)
        return Worker(store, registry, name=name, batch=5)

    threads = [threading.Thread(target=worker(name).run_until_idle) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert effects(store) == 1000
    assert states(store) == Counter({"done": 1000})
    with store.session() as session:
        assert session.scalar(select(func.max(Job.attempts))) == 1
    # Committed runs only: a handler whose transaction rolled back would be counted twice.
    assert sum(done_by.values()) == 1000
    if store.dialect == "postgresql":
        assert done_by["a"] > 0 and done_by["b"] > 0  # they really shared the queue


CHILD = """
import datetime as dt, pathlib, sys, time
from bot.jobs import Registry, Worker
from bot.store import Store
from bot.store.database import create_store_engine

url, marker = sys.argv[1], pathlib.Path(sys.argv[2])

def stuck(session, job):
    marker.write_text(str(job.id))
    time.sleep(120)  # killed here, mid-job, its transaction open

registry = Registry()
registry.handle("test.effect", stuck)
store = Store(create_store_engine(url))
Worker(store, registry, name="doomed", lease=dt.timedelta(seconds=2), batch=3).run_until_idle()
"""


@pytest.mark.slow
def test_the_jobs_of_a_killed_worker_are_done_by_another_after_the_lease(
        store: Store, tmp_path: Path) -> None:
    with store.transaction() as session:
        for n in range(5):
            enqueue(session, "test.effect", {"n": n})
    marker = tmp_path / "mid-job"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(store.engine.url.render_as_string(
        hide_password=False)), str(marker)], env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, "the worker process ended before starting its job"
            assert time.monotonic() < deadline, "the worker process never started its job"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert states(store) == Counter({"running": 3, "queued": 2})
    survivor = Worker(store, effect_registry(), name="survivor")
    survivor.run_until_idle()  # takes the two queued ones; the three leased wait
    assert states(store) == Counter({"running": 3, "done": 2})
    time.sleep(2.2)
    assert survivor.run_until_idle() == 3
    assert effects(store) == 5 and states(store) == Counter({"done": 5})
    with store.session() as session:
        attempts = dict(session.execute(select(Job.id, Job.attempts)).all())
    assert attempts[int(marker.read_text())] == 2  # once killed, once done
    assert sorted(attempts.values()) == [1, 1, 2, 2, 2]
