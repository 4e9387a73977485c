"""`probity worker`: a process that runs background jobs, with every surface's deliveries
plugged in (the job runner itself is bot.jobs; surfaces add their outboxes here)."""

from __future__ import annotations

import argparse
import os
import signal
import threading

from bot.config import Settings


def configure_worker(worker: argparse.ArgumentParser) -> None:
    worker.add_argument("--until-idle", action="store_true",
                        help="run everything due now, then exit (cron, tests)")
    worker.add_argument("--poll", type=float, default=1.0, metavar="SECONDS",
                        help="how long to wait when nothing is due (default 1)")
    worker.set_defaults(run=_worker)


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from bot.jobs.builtin import ScheduleSettingError, build_registry
    from bot.jobs.worker import Worker
    from bot.messages import say
    from bot.store import Store
    from bot.surfaces.slack.outbox import slack_client, slack_jobs_plugin

    store = Store.open(settings)
    token = os.environ.get("SLACK_BOT_TOKEN", "").strip()
    client = slack_client(token, settings.slack_api_url) if token else None
    try:
        registry = build_registry(settings, store, plugins=[slack_jobs_plugin(store, client)])
    except ScheduleSettingError as error:
        store.dispose()
        print(say("jobs.schedule_setting_problem", problem=error))
        return 2
    worker = Worker(store, registry, zone=settings.zone)
    try:
        if args.until_idle:
            print(say("jobs.worker_ran", count=worker.run_until_idle()))
            return 0
        stop = threading.Event()
        # systemd and Kubernetes stop a service with SIGTERM: finish the jobs in hand, then go.
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        print(say("jobs.worker_started", name=worker.name), flush=True)
        try:
            worker.run_forever(stop, args.poll)
        except KeyboardInterrupt:
            stop.set()
        return 0
    finally:
        store.dispose()
