"""pytest fixtures that run Probity's Slack app over HTTP against the mock Web API.

Use them from a test module with `pytest_plugins = ["slack_mock.fixtures"]`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.jobs import Registry, Worker
from bot.surfaces.slack.app import build_app
from bot.surfaces.slack.card_jobs import register_declaration_cards
from bot.surfaces.slack.credentials import SlackCredentials
from bot.surfaces.slack.outbox import (
    register_slack_notices,
    register_slack_outbox,
    slack_client,
)
from bot.surfaces.slack.services import SlackServices
from bot.surfaces.web.app import SLACK_EVENTS_PATH, WebConfig, build_web_app
from bot.surfaces.web.server import WebServerThread
from slack_mock.harness import HANDLER, INTEGRITY_CHANNEL, MANAGER, OUTSIDER, STAFF, SlackHarness
from slack_mock.payloads import SlackPayloads
from slack_mock.signing import SIGNING_SECRET, SignedSender
from slack_mock.web_api import VALID_BOT_TOKEN, MockSlackWebApi


@pytest.fixture
def slack_api() -> Iterator[MockSlackWebApi]:
    with MockSlackWebApi() as api:
        api.add_user(STAFF, "Sam Patel", title="PC 1234")
        api.add_user(MANAGER, "Morgan Reid", title="Inspector")
        api.add_user(HANDLER, "Harper Quinn", title="DS, Anti-Corruption Unit")
        api.add_user(OUTSIDER, "Alex Doyle", title="PC 4321")
        yield api


@pytest.fixture
def slack_settings(settings: Settings, slack_api: MockSlackWebApi) -> Settings:
    return dataclasses.replace(settings, slack_api_url=slack_api.url, handlers=(HANDLER,),
                               integrity_channel=INTEGRITY_CHANNEL,
                               # New reports are announced at once, not after a random delay.
                               report_notify_delay_max_minutes=0)


@pytest.fixture
def slack(slack_settings: Settings, slack_api: MockSlackWebApi) -> Iterator[SlackHarness]:
    """The app served by uvicorn on a random port, as `probity serve --http` serves it, its
    Web API calls going to the mock."""
    services = SlackServices.open(slack_settings)
    credentials = SlackCredentials(bot_token=VALID_BOT_TOKEN, signing_secret=SIGNING_SECRET)
    app = build_app(services, credentials)
    server = WebServerThread(build_web_app(WebConfig(slack_app=app))).start()
    # The outbox's worker, as `probity serve` runs one: cards, DMs and requests are jobs.
    stop_worker = outbox_worker(services, slack_settings, slack_api).start_in_thread(
        poll_seconds=0.05)
    slack_api.reset()  # forget auth.test from start-up
    payloads = SlackPayloads(response_url=slack_api.url + "respond")
    sender = SignedSender(server.url + SLACK_EVENTS_PATH)
    yield SlackHarness(slack_api, sender, payloads, services, server)
    stop_worker.set()
    server.stop()
    services.store.dispose()
    # Every payload any Slack test made the app build, checked against Slack's id rules.
    assert not slack_api.refused_blocks, slack_api.refused_blocks


def outbox_worker(services: SlackServices, settings: Settings, api: MockSlackWebApi
                  ) -> Worker:
    """A job worker delivering the Slack outbox (and nothing scheduled) to the mock."""
    client = slack_client(VALID_BOT_TOKEN, api.url)
    registry = Registry()
    register_slack_outbox(registry, services.store, client)
    register_slack_notices(registry)
    register_declaration_cards(registry, services.store, client, settings.integrity_channel,
                               lambda: services.definitions)
    return Worker(services.store, registry, zone=settings.zone)
