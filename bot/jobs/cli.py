"""`probity jobs` shows background jobs, retries and drops failed ones and runs a schedule
now; `probity bench jobs` measures the runner. (`probity worker` is bot.surfaces.worker.)"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from bot.config import Settings


def configure_jobs(jobs: argparse.ArgumentParser) -> None:
    jobs.add_argument("--json", action="store_true", help="print one JSON object")
    jobs.set_defaults(run=_show)
    steps = jobs.add_subparsers(dest="jobs_command", required=False, metavar="ACTION")
    retry = steps.add_parser("retry", help="queue failed jobs to run again")
    retry.add_argument("ids", type=int, nargs="+", metavar="ID")
    retry.set_defaults(run=_retry)
    drop = steps.add_parser("drop", help="delete failed jobs for good")
    drop.add_argument("ids", type=int, nargs="+", metavar="ID")
    drop.set_defaults(run=_drop)
    now = steps.add_parser("run", help="enqueue a schedule's job now (the worker runs it)")
    now.add_argument("schedule", metavar="NAME", help="a schedule's name, e.g. reminders")
    now.set_defaults(run=_run_now)


def configure_bench(bench: argparse.ArgumentParser) -> None:
    bench.add_argument("--jobs", type=int, default=1000, help="jobs in the largest run")
    bench.add_argument("--batch", type=int, default=10, help="jobs claimed at a time")
    bench.add_argument("--postgres", metavar="URL",
                       help="PostgreSQL to measure on (a schema is made and dropped); "
                       "default PROBITY_TEST_DATABASE_URL")
    bench.set_defaults(run=_bench)


def _open(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.jobs.builtin import ScheduleSettingError, build_registry
    from bot.store import Store

    store = Store.open(settings)
    try:
        return store, build_registry(settings, store)
    except ScheduleSettingError as error:
        store.dispose()
        raise SystemExit(_problem(str(error))) from None


def _problem(problem: str) -> int:
    from bot.messages import say

    print(say("jobs.schedule_setting_problem", problem=problem), file=sys.stderr)
    return 2


def overview(settings: Settings) -> dict[str, Any]:
    """What `probity jobs --json` prints: counts by state, schedules, failed jobs."""
    from bot.jobs.queue import counts, failed_jobs
    from bot.jobs.schedules import schedule_statuses
    from bot.store.models import utcnow

    store, registry = _open(settings)
    try:
        with store.session() as session:
            found: dict[str, Any] = dict(counts(session))
            statuses = schedule_statuses(session, registry.schedules, set(registry.kinds),
                                         utcnow(), settings.zone)
            found["schedules"] = [{
                "name": status.name, "kind": status.kind, "timing": status.timing,
                "next_run": _local(status.next_run_at, settings),
                "last_run": _local(status.last_run_at, settings), "active": status.active,
            } for status in statuses]
            found["failed_jobs"] = [{"id": job.id, "kind": job.kind, "attempts": job.attempts,
                                     "last_error": job.last_error}
                                    for job in failed_jobs(session)]
        return found
    finally:
        store.dispose()


def _local(instant: Any, settings: Settings) -> str | None:
    return instant.astimezone(settings.zone).isoformat(timespec="minutes") if instant else None


def _show(args: argparse.Namespace, settings: Settings) -> int:
    from bot.messages import say

    found = overview(settings)
    if args.json:
        print(json.dumps(found, indent=2))
        return 0
    print(say("jobs.counts", **{state: found[state] for state in
                                ("queued", "running", "done", "failed")}))
    print(say("jobs.schedules_heading", zone=settings.timezone))
    for row in found["schedules"]:
        print(say("jobs.schedule_row", name=row["name"], timing=row["timing"],
                  next_run=row["next_run"],
                  inactive="" if row["active"] else say("jobs.schedule_inactive")))
    if found["failed_jobs"]:
        print(say("jobs.failed_heading"))
        for job in found["failed_jobs"]:
            print(say("jobs.failed_row", id=job["id"], kind=job["kind"],
                      attempts=job["attempts"], error=job["last_error"] or "-"))
    return 0


def _operator() -> str:
    # Whoever has a shell on the server; the audit log names them as the OS knows them.
    return f"operator:{getpass.getuser()}"


def _retry(args: argparse.Namespace, settings: Settings) -> int:
    from bot.jobs.queue import retry_failed

    return _each_failed(args, settings, lambda session, job_id, now: (
        "jobs.retried", retry_failed(session, job_id, _operator(), now).kind))


def _drop(args: argparse.Namespace, settings: Settings) -> int:
    from bot.jobs.queue import drop_failed

    return _each_failed(args, settings, lambda session, job_id, now: (
        "jobs.dropped", drop_failed(session, job_id, _operator())))


def _each_failed(args: argparse.Namespace, settings: Settings, step: Any) -> int:
    from bot.jobs.queue import NotFailed
    from bot.messages import say
    from bot.store import Store
    from bot.store.models import utcnow

    store = Store.open(settings)
    status = 0
    try:
        for job_id in args.ids:
            try:
                with store.transaction() as session:
                    key, kind = step(session, job_id, utcnow())
                print(say(key, id=job_id, kind=kind))
            except NotFailed:
                print(say("jobs.not_failed", id=job_id), file=sys.stderr)
                status = 1
    finally:
        store.dispose()
    return status


def _run_now(args: argparse.Namespace, settings: Settings) -> int:
    from bot.jobs.schedules import fire_now
    from bot.messages import say
    from bot.store.models import utcnow

    store, registry = _open(settings)
    try:
        found = {schedule.name: schedule for schedule in registry.active_schedules}
        schedule = found.get(args.schedule)
        if schedule is None:
            print(say("jobs.unknown_schedule", name=args.schedule,
                      names=", ".join(sorted(found))), file=sys.stderr)
            return 2
        with store.transaction() as session:
            job_id = fire_now(session, schedule, utcnow())
        print(say("jobs.run_now", name=schedule.name, id=job_id))
        return 0
    finally:
        store.dispose()


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    import os

    from bot.jobs.bench import run_bench

    url = args.postgres or os.environ.get("PROBITY_TEST_DATABASE_URL")
    run_bench(args.jobs, args.batch, url, sys.stdout)
    return 0
