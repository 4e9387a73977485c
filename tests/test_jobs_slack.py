"""The Slack outbox job kinds against the mock Web API: reminders as DMs with buttons,
rate limits waiting Slack's Retry-After, refusals failing at once, Slack down retried."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator

import pytest
from slack_mock.web_api import VALID_BOT_TOKEN, MockSlackWebApi
from sqlalchemy import select

from bot.config import Settings
from bot.jobs import Registry, Worker, enqueue
from bot.jobs.builtin import build_registry
from bot.jobs.schedules import fire_now
from bot.store import Store
from bot.store.models import AuditEvent, Declaration, Job, Notice, Person, StatusChange
from bot.surfaces.slack.outbox import register_slack_outbox, slack_client, slack_jobs_plugin

STAFF = "U0STAFF01"
HANDLER = "U0HANDLER"
NOW = dt.datetime(2027, 1, 20, 8, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def api() -> Iterator[MockSlackWebApi]:
    with MockSlackWebApi() as mock:
        yield mock


def outbox(store: Store, api: MockSlackWebApi, token: str = VALID_BOT_TOKEN) -> Registry:
    registry = Registry()
    register_slack_outbox(registry, store, slack_client(token, api.url))
    return registry


def job(store: Store, job_id: int) -> Job:
    with store.session() as session:
        found = session.get(Job, job_id)
        assert found is not None
        return found


def test_a_reminder_for_a_slack_user_is_a_dm_with_an_answer_button(
        settings: Settings, store: Store, api: MockSlackWebApi) -> None:
    with store.transaction() as session:
        staff = Person(surface="slack", surface_id=STAFF, display_name="Sam Patel")
        session.add(staff)
        session.flush()
        declaration = Declaration(reference="GH-2027-0007", kind="gift_hospitality",
                                  status="information_requested", person_id=staff.id,
                                  workflow="gift_hospitality",
                                  submitted_at=NOW - dt.timedelta(days=12))
        session.add(declaration)
        session.flush()
        session.add(StatusChange(declaration_id=declaration.id, from_status="submitted",
                                 to_status="information_requested",
                                 at=NOW - dt.timedelta(days=8), note="Who gave it?"))
    clock = Clock()
    registry = build_registry(dataclasses.replace(settings, slack_api_url=api.url), store,
                              clock=clock, plugins=[slack_jobs_plugin(
                                  store, slack_client(VALID_BOT_TOKEN, api.url))])
    reminders = next(s for s in registry.schedules if s.name == "reminders")
    with store.transaction() as session:
        fire_now(session, reminders, clock())
    assert Worker(store, registry, clock=clock).run_until_idle() == 2  # reminders, then the DM

    [dm] = api.calls_to("chat.postMessage")
    assert dm["channel"] == STAFF
    assert dm["text"].startswith("The integrity unit asked you a question about GH-2027-0007 "
                                 "on 12 January 2027")
    [button] = [element for block in dm["blocks"] if block["type"] == "actions"
                for element in block["elements"]]
    assert button["action_id"] == "probity_answer_request"
    assert json.loads(button["value"])["ref"] == "GH-2027-0007"
    with store.session() as session:
        notice = session.scalars(select(Notice)).one()
        assert notice.delivered
        audited = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "reminders.sent")).one()
        assert audited.details == {"information_unanswered": 1}  # counts, never names
    # The next day's run sends nothing new (once per period), so Slack hears nothing more.
    clock.now += dt.timedelta(days=1)
    with store.transaction() as session:
        fire_now(session, reminders, clock())
    Worker(store, registry, clock=clock).run_until_idle()
    assert len(api.calls_to("chat.postMessage")) == 1


def test_a_rate_limited_post_waits_slacks_retry_after_then_goes_once(
        store: Store, api: MockSlackWebApi) -> None:
    api.rate_limit("chat.postMessage", times=1, retry_after=3)
    with store.transaction() as session:
        job_id = enqueue(session, "slack.post", {
            "channel": "C0INTEGRITY", "text": "New report RP-2027-0001",
            "buttons": [{"label": "Read report", "action": "read_report",
                         "reference": "RP-2027-0001"}]})
    clock = Clock()
    worker = Worker(store, outbox(store, api), clock=clock)
    assert worker.run_until_idle() == 1
    waiting = job(store, job_id)
    assert waiting.state == "queued" and waiting.run_at == NOW + dt.timedelta(seconds=3)
    assert "rate limit" in (waiting.last_error or "")
    clock.now += dt.timedelta(seconds=3)
    assert worker.run_until_idle() == 1
    assert job(store, job_id).state == "done"
    sent = api.calls_to("chat.postMessage")
    assert len(sent) == 2  # the 429, then the one that went
    [button] = sent[-1]["blocks"][-1]["elements"]
    assert (button["action_id"], button["value"]) == ("probity_case_open", "RP-2027-0001")


def test_a_post_slack_refuses_fails_at_once_with_slacks_error(
        store: Store, api: MockSlackWebApi) -> None:
    with store.transaction() as session:
        job_id = enqueue(session, "slack.dm", {"user": STAFF, "text": "hello"})
    Worker(store, outbox(store, api, token="xoxb-revoked"), clock=Clock()).run_until_idle()
    failed = job(store, job_id)
    assert failed.state == "failed" and failed.attempts == 1
    assert failed.last_error == "GiveUp: Slack refused chat.postMessage: invalid_auth"


def test_slack_out_of_reach_is_retried_with_backoff(store: Store, api: MockSlackWebApi) -> None:
    url = api.url
    api.stop()  # nothing listens there now
    registry = Registry()
    register_slack_outbox(registry, store, slack_client(VALID_BOT_TOKEN, url))
    with store.transaction() as session:
        job_id = enqueue(session, "slack.dm", {"user": STAFF, "text": "hello"})
    Worker(store, registry, clock=Clock()).run_until_idle()
    later = job(store, job_id)
    assert later.state == "queued" and later.run_at > NOW
    assert "Could not reach Slack" in (later.last_error or "")
    api.start()  # so the fixture can stop it


def test_posts_keep_their_own_blocks_and_thread(store: Store, api: MockSlackWebApi) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*GH-2027-0001*"}}]
    with store.transaction() as session:
        enqueue(session, "slack.post", {"channel": "C0INTEGRITY", "text": "GH-2027-0001",
                                        "blocks": blocks, "thread_ts": "1770000001.000001"})
    Worker(store, outbox(store, api), clock=Clock()).run_until_idle()
    [post] = api.calls_to("chat.postMessage")
    assert post["blocks"] == blocks and post["thread_ts"] == "1770000001.000001"


def test_a_withdrawn_notice_is_not_sent(store: Store, api: MockSlackWebApi) -> None:
    with store.transaction() as session:
        staff = Person(surface="slack", surface_id=STAFF, display_name="Sam Patel")
        session.add(staff)
        session.flush()
        notice = Notice(person_id=staff.id, kind="draft_unfinished", subject="draft:gift",
                        text_key="reminders.draft_unfinished_kept",
                        fields={"what": "a gift or hospitality"}, actions=[],
                        created_on=NOW.date(), withdrawn_on=NOW.date())
        session.add(notice)
        session.flush()
        job_id = enqueue(session, "slack.dm", {"user": STAFF, "notice_id": notice.id})
    Worker(store, outbox(store, api), clock=Clock()).run_until_idle()
    assert job(store, job_id).state == "done" and api.calls_to("chat.postMessage") == []


def test_a_post_about_a_report_keeps_only_its_day_and_is_deleted_once_sent(
        store: Store, api: MockSlackWebApi) -> None:
    with store.transaction() as session:
        sent = enqueue(session, "slack.post", {"channel": "C0INTEGRITY", "text": "R-2027-0001"},
                       day_only=True, run_at=NOW)
        refused = enqueue(session, "slack.post", {"channel": "C0GONE", "text": "R-2027-0002"},
                          day_only=True, run_at=NOW)
    api.override("chat.postMessage", lambda args: {"ok": args["channel"] != "C0GONE",
                                                  "error": "channel_not_found"})
    Worker(store, outbox(store, api), clock=Clock()).run_until_idle()
    midnight = dt.datetime(2027, 1, 20, tzinfo=dt.UTC)
    with store.session() as session:
        assert session.get(Job, sent) is None  # sent: no row left to date it
        failed = session.get(Job, refused)
        assert failed is not None and failed.state == "failed"
        assert (failed.run_at, failed.finished_at, failed.locked_until) == (midnight, midnight,
                                                                            None)
