"""`probity bench slack`: a bounded load of DMs and button presses against the real HTTP
server and Bolt app, with the Web API a local mock answering in 150 ms.

It reports how fast Slack's requests were acknowledged (p50/p95/p99, and how many took over
Slack's 3 s, which must be none) and that every event was answered exactly once though some
were delivered twice (Slack's retries); then the same with Bolt's default listener pool,
the obvious alternative; then two instances on one PostgreSQL, each retry sent to the
instance that did not get the original.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bot.config import Settings

SECRET = "bench-signing-secret"
TEAM = "T0NORTHMOOR"
#: Message keys of the questions the DMs ask (three, so answers differ).
QUESTIONS = ("slack.bench_question_1", "slack.bench_question_2", "slack.bench_question_3")
#: One DM in this many is delivered again as Slack's retry (X-Slack-Retry-Num: 1).
RETRY_EVERY = 20


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dms", type=int, default=2000, help="direct messages (default 2000)")
    parser.add_argument("--presses", type=int, default=500, help="button presses (default 500)")
    parser.add_argument("--seconds", type=float, default=60, help="spread over (default 60)")
    parser.add_argument("--concurrency", type=int, default=20, help="senders (default 20)")
    parser.add_argument("--latency", type=float, default=0.15,
                        help="the mock Web API's answer time in seconds (default 0.15)")
    parser.add_argument("--postgres", metavar="URL",
                        help="PostgreSQL for the two-instance run (a schema is made and "
                        "dropped); default PROBITY_TEST_DATABASE_URL, else skipped")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the run with Bolt's default pool of 5 listener threads")
    parser.set_defaults(run=run)


@dataclass
class RunResult:
    name: str
    acks: list[float]
    statuses: Counter[int]
    dms: int
    answered_once: int
    answered_twice: int
    unanswered: int
    presses: int
    forms_opened: int
    drain_seconds: float

    def line(self) -> str:
        from bot.messages import say

        ordered = sorted(self.acks)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

        return say("slack.bench_line", name=self.name, p50=pct(0.50), p95=pct(0.95),
                   p99=pct(0.99), max=max(ordered) * 1000,
                   over=sum(1 for a in self.acks if a > 3.0),
                   not_ok=sum(n for status, n in self.statuses.items() if status != 200),
                   once=self.answered_once, dms=self.dms, twice=self.answered_twice,
                   never=self.unanswered, forms=self.forms_opened, presses=self.presses,
                   drained=self.drain_seconds)


def run(args: argparse.Namespace, settings: Settings) -> int:
    import os

    from bot.messages import say
    from bot.surfaces.slack.mock_web_api import MockSlackWebApi

    print(say("slack.bench_intro", dms=args.dms, retry_every=RETRY_EVERY,
              presses=args.presses, seconds=f"{args.seconds:.0f}",
              concurrency=args.concurrency, latency=f"{args.latency * 1000:.0f}"))
    results = []
    with tempfile.TemporaryDirectory(prefix="probity-bench-slack-") as home:
        base = dataclasses.replace(settings, home=Path(home), database_url=None,
                                   integrity_channel="C0INTEGRITY")
        runs = [(say("slack.bench_run_pool", workers=settings.slack_workers),
                 settings.slack_workers)]
        if not args.no_baseline:
            runs.append((say("slack.bench_run_default"), 5))
        for name, workers in runs:
            with MockSlackWebApi(latency=args.latency) as api:
                run_settings = dataclasses.replace(
                    base, slack_workers=workers, slack_api_url=api.url,
                    database_url=f"sqlite:///{home}/bench-{workers}.db")
                results.append(_run(name, [run_settings], api, args))
                print(results[-1].line(), flush=True)
        url = args.postgres or os.environ.get("PROBITY_TEST_DATABASE_URL")
        if url:
            with _schema(url) as schema_url, MockSlackWebApi(latency=args.latency) as api:
                shared = dataclasses.replace(base, slack_api_url=api.url,
                                             database_url=schema_url)
                results.append(_run(say("slack.bench_run_two"), [shared, shared], api, args))
                print(results[-1].line(), flush=True)
        else:
            print(say("slack.bench_two_skipped"))
    bad = [r for r in results[:1] + results[2:]
           if any(a > 3.0 for a in r.acks) or r.answered_twice or r.unanswered]
    return 1 if bad else 0


def _run(name: str, instances: list[Settings], api: Any, args: argparse.Namespace
         ) -> RunResult:
    from bot.surfaces.slack.app import build_app
    from bot.surfaces.slack.credentials import SlackCredentials
    from bot.surfaces.slack.mock_web_api import VALID_BOT_TOKEN
    from bot.surfaces.slack.services import SlackServices
    from bot.surfaces.web.app import SLACK_EVENTS_PATH, WebConfig, build_web_app
    from bot.surfaces.web.server import WebServerThread

    users = [f"U0BENCH{n:04d}" for n in range(200)]
    for user in users:
        api.add_user(user, f"Bench User {user[-4:]}")
    servers, opened = [], []
    for settings in instances:
        services = SlackServices.open(settings)
        app = build_app(services, SlackCredentials(bot_token=VALID_BOT_TOKEN,
                                                   signing_secret=SECRET))
        server = WebServerThread(build_web_app(WebConfig(slack_app=app))).start()
        servers.append(server)
        opened.append(services)
    urls = [server.url + SLACK_EVENTS_PATH for server in servers]
    api.reset()
    requests = _schedule(args, users)
    acks: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    began = time.monotonic()

    def send(item: tuple[float, int, str, dict[str, str]]) -> None:
        at, instance, body, headers = item
        delay = began + at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        status, elapsed = _post(urls[instance % len(urls)], body, headers)
        with lock:
            acks.append(elapsed)
            statuses[status] += 1

    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(pool.map(send, requests))
    drain_began = time.monotonic()
    channels = [f"D0BENCH{n:05d}" for n in range(args.dms)]
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        answered = Counter(c.args.get("channel") for c in api.calls_to("chat.postMessage"))
        if all(answered.get(channel) for channel in channels):
            break
        time.sleep(0.5)
    time.sleep(1.0)  # anything answered twice would arrive now
    drained = time.monotonic() - drain_began
    answered = Counter(c.args.get("channel") for c in api.calls_to("chat.postMessage"))
    per_dm = [answered.get(channel, 0) for channel in channels]
    for server in servers:
        server.stop()
    for services in opened:
        services.store.dispose()
    return RunResult(name, acks, statuses, args.dms, per_dm.count(1),
                     sum(1 for n in per_dm if n > 1), per_dm.count(0), args.presses,
                     len(api.calls_to("views.open")), drained)


def _schedule(args: argparse.Namespace, users: list[str]
              ) -> list[tuple[float, int, str, dict[str, str]]]:
    """(when, which instance, body, headers) for every request, spread evenly."""
    from bot.messages import say

    items: list[tuple[str, dict[str, str], bool]] = []
    presses_every = max(1, args.dms // max(args.presses, 1))
    pressed = 0
    for n in range(args.dms):
        user = users[n % len(users)]
        event = _dm(user, f"D0BENCH{n:05d}", say(QUESTIONS[n % len(QUESTIONS)]), f"Ev{n:09d}")
        items.append((json.dumps(event), {"Content-Type": "application/json"}, False))
        if n % RETRY_EVERY == 0:
            items.append((json.dumps(event), {"Content-Type": "application/json",
                                              "X-Slack-Retry-Num": "1",
                                              "X-Slack-Retry-Reason": "http_timeout"}, True))
        if n % presses_every == 0 and pressed < args.presses:
            pressed += 1
            body = urlencode({"payload": json.dumps(_press(user, n))})
            items.append((body, {"Content-Type": "application/x-www-form-urlencoded"}, False))
    gap = args.seconds / max(len(items), 1)
    # Requests alternate between instances; a retry follows its original at once, so it
    # always goes to the instance that did not get the original.
    return [(index * gap, index, body, headers)
            for index, (body, headers, _) in enumerate(items)]


def _post(url: str, body: str, headers: dict[str, str]) -> tuple[int, float]:
    from bot.surfaces.slack.mock_web_api import sign_request

    request = urllib.request.Request(url, data=body.encode(), method="POST",
                                     headers={**headers, **sign_request(body, SECRET)})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status, time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started
    except OSError:
        return 0, time.monotonic() - started


def _dm(user: str, channel: str, text: str, event_id: str) -> dict[str, Any]:
    ts = f"{time.time():.6f}"
    return {"type": "event_callback", "team_id": TEAM, "api_app_id": "A0PROBITY",
            "event_id": event_id, "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": "U0PROBITY", "is_bot": True}],
            "event": {"type": "message", "channel_type": "im", "channel": channel,
                      "user": user, "text": text, "ts": ts, "event_ts": ts, "team": TEAM}}


def _press(user: str, n: int) -> dict[str, Any]:
    return {"type": "block_actions", "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0PROBITY", "token": "legacy", "trigger_id": f"{n}.trigger",
            "team": {"id": TEAM}, "container": {"type": "view", "view_id": "V0HOME"},
            "actions": [{"type": "button", "action_id": "probity_open_declaration:"
                         "gift_hospitality", "block_id": "start",
                         "value": "gift_hospitality", "action_ts": f"{time.time():.6f}"}]}


class _schema:
    """A PostgreSQL schema of its own for the run, dropped after."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = f"bench_slack_{int(time.time())}"

    def __enter__(self) -> str:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.name}"'))
        engine.dispose()
        from sqlalchemy.engine import make_url

        return make_url(self.url).update_query_dict(
            {"options": f"-csearch_path={self.name}"}).render_as_string(hide_password=False)

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{self.name}" CASCADE'))
        engine.dispose()
