"""pytest fixtures that run Probity's Slack app over HTTP against the mock Web API.

Use them from a test module with `pytest_plugins = ["slack_mock.fixtures"]`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.surfaces.slack.app import build_app
from bot.surfaces.slack.credentials import SlackCredentials
from bot.surfaces.slack.server import SlackHttpServer
from bot.surfaces.slack.services import SlackServices
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
    """The app serving HTTP on a random port, its Web API calls going to the mock."""
    services = SlackServices.open(slack_settings)
    credentials = SlackCredentials(bot_token=VALID_BOT_TOKEN, signing_secret=SIGNING_SECRET)
    app = build_app(services, credentials)
    server = SlackHttpServer(app, "127.0.0.1", 0).start_in_thread()
    slack_api.reset()  # forget auth.test from start-up
    payloads = SlackPayloads(response_url=slack_api.url + "respond")
    yield SlackHarness(slack_api, SignedSender(server.events_url), payloads, services, server)
    server.stop()
    services.store.dispose()
