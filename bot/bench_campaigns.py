"""`probity bench campaigns`: a campaign's fan-out to thousands through the job runner
against the mock Slack Web API, and a burst of acknowledgements arriving at once, each
sent twice, on SQLite and PostgreSQL, counted for none lost and none doubled."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TextIO

from sqlalchemy import func, select

from bot.campaigns.answers import answer, checks_of
from bot.campaigns.audience import Audience
from bot.campaigns.models import Acknowledgement, Campaign
from bot.campaigns.service import start_campaign
from bot.config import Settings
from bot.jobs.bench import _postgres_schema
from bot.jobs.campaign_jobs import DMS_PER_MINUTE, add_campaign_jobs
from bot.jobs.queue import enqueue
from bot.jobs.registry import Registry
from bot.jobs.worker import Worker
from bot.messages import say
from bot.store import Store
from bot.store.database import create_store_engine
from bot.store.models import AuditEvent, Job, Person
from bot.surfaces.slack.outbox import register_slack_outbox, slack_client

POLICY = "gifts-and-hospitality"
TESTS = Path(__file__).resolve().parents[1] / "tests"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--staff", type=int, default=6000, help="audience of the fan-out")
    parser.add_argument("--acks", type=int, default=2000, help="acknowledgements at once")
    parser.add_argument("--threads", type=int, default=16,
                        help="requests in flight at once (a busy Slack app's HTTP workers)")
    parser.add_argument("--postgres", metavar="URL",
                        help="PostgreSQL to measure on; default PROBITY_TEST_DATABASE_URL")
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    postgres = args.postgres or os.environ.get("PROBITY_TEST_DATABASE_URL")
    out = sys.stdout
    with tempfile.TemporaryDirectory() as directory:
        for staff in sorted({max(args.staff // 4, 1), args.staff}):
            fan_out(_sqlite(directory, f"fan-out-{staff}"), settings, staff, out)
        for acks in sorted({max(args.acks // 4, 1), args.acks}):
            burst("sqlite", _sqlite(directory, f"burst-{acks}"), settings, acks,
                  args.threads, out)
    if not postgres:
        print(say("campaigns.bench_no_postgres"), file=out)
        return 0
    for acks in sorted({max(args.acks // 4, 1), args.acks}):
        with _postgres_schema(postgres) as url:
            burst("postgresql", _postgres(url), settings, acks, args.threads, out)
    return 0


def _people(store: Store, count: int, surface: str) -> None:
    with store.transaction() as session:
        session.add_all(Person(surface=surface, surface_id=f"U{number:09d}",
                               display_name=f"Person {number}", team=f"Team {number % 40}",
                               staff_type="officer" if number % 3 else "staff")
                        for number in range(count))


def _campaign(store: Store, settings: Settings, today: dt.date) -> int:
    with store.transaction() as session:
        return start_campaign(session, settings.policies_dir, [POLICY], Audience("everyone"),
                              None, actor="system", today=today).id


def fan_out(open_store: Callable[[], Store], settings: Settings, staff: int,
            out: TextIO) -> None:
    """Plan and send one campaign's DMs to `staff` Slack users; times both, and says how
    long the paced schedule takes in Slack's time."""
    sys.path.insert(0, str(TESTS))  # the mock Web API lives with the tests
    from slack_mock.web_api import (  # type: ignore[import-not-found]
        VALID_BOT_TOKEN,
        MockSlackWebApi,
    )

    store = open_store()
    now = dt.datetime.now(dt.UTC)
    clock = _Clock(now)
    try:
        _people(store, staff, "slack")
        _campaign(store, settings, now.date())
        with MockSlackWebApi() as api:
            registry = Registry()
            add_campaign_jobs(registry, clock)
            register_slack_outbox(registry, store, slack_client(VALID_BOT_TOKEN, api.url))
            with store.transaction() as session:
                enqueue(session, "campaigns.fan_out", {}, run_at=now)
            started = time.perf_counter()
            Worker(store, registry, clock=clock).run_until_idle()
            planned = time.perf_counter() - started
            with store.session() as session:
                first, last = session.execute(select(func.min(Job.run_at), func.max(Job.run_at))
                                              .where(Job.kind == "slack.dm")).one()
            clock.now = last + dt.timedelta(seconds=1)
            started = time.perf_counter()
            Worker(store, registry, clock=clock, batch=50).run_until_idle()
            sent_in = time.perf_counter() - started
            sent = len(api.calls_to("chat.postMessage"))
            distinct = len({call["channel"] for call in api.calls_to("chat.postMessage")})
        span = (last - now).total_seconds()
        print(say("campaigns.bench_fan_out", staff=staff, planned=planned, sent=sent,
                  distinct=distinct, seconds=sent_in, rate=sent / sent_in,
                  span=_minutes(span), per_minute=DMS_PER_MINUTE), file=out)
    finally:
        store.dispose()


def burst(backend: str, open_store: Callable[[], Store], settings: Settings,
          acks: int, threads: int, out: TextIO) -> None:
    """`acks` people acknowledging at once, each press (the right answer to the policy's
    check question) arriving twice (Slack retries, a double click): every acknowledgement
    must be one row with one attempt and one audit event."""
    store = open_store()
    now = dt.datetime.now(dt.UTC)
    try:
        _people(store, acks, "slack")
        campaign_id = _campaign(store, settings, now.date())
        with store.session() as session:
            ids = list(session.scalars(select(Person.id).order_by(Person.id)))
            campaign = session.get(Campaign, campaign_id)
            assert campaign is not None
            right = checks_of(campaign)[0].check.answer
        presses = [person_id for person_id in ids for _ in range(2)]
        failures: list[str] = []
        lock = threading.Lock()

        def press(person_id: int) -> bool:
            for _ in range(5):
                try:
                    with store.transaction() as session:
                        person = session.get(Person, person_id)
                        assert person is not None
                        # The last press of acknowledging: the check's right answer.
                        return answer(session, campaign_id, person, 0, right, "slack_button",
                                      now).recorded
                except Exception as error:  # noqa: BLE001 - a lost press is what we count
                    problem = type(error).__name__
            with lock:
                failures.append(problem)
            return False

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            recorded = sum(pool.map(press, presses))
        seconds = time.perf_counter() - started
        with store.session() as session:
            rows = session.scalar(select(func.count()).select_from(Acknowledgement))
            people = session.scalar(select(func.count(func.distinct(Acknowledgement.person_id))))
            events = session.scalar(select(func.count()).where(
                AuditEvent.action == "campaign.acknowledged"))
            # Each person answered once (twice delivered): any other count is a miscount.
            miscounted = session.scalar(select(func.count()).where(
                Acknowledgement.check_attempts.is_distinct_from(1)))
        print(say("campaigns.bench_burst", backend=backend, acks=acks, presses=len(presses),
                  threads=threads, seconds=seconds, rate=len(presses) / seconds,
                  recorded=recorded, rows=rows, people=people, events=events,
                  lost=acks - (people or 0), doubled=(rows or 0) - (people or 0),
                  failed=len(failures), miscounted=miscounted), file=out)
    finally:
        store.dispose()


class _Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _keyed(url: str) -> Store:
    """A store on `url` with an audit key of its own (the chain is keyed), no vault."""
    store = Store(create_store_engine(url), audit_key=secrets.token_bytes(32))
    store.upgrade()
    return store


def _postgres(url: str) -> Callable[[], Store]:
    return lambda: _keyed(url)


def _sqlite(directory: str, name: str) -> Callable[[], Store]:
    return lambda: _keyed(f"sqlite:///{Path(directory) / name}.sqlite3")


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"

