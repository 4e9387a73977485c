"""Socket Mode without Slack: the app's built-in WebSocket client connects to a local server.

The mock Web API answers apps.connections.open with the local server's ws:// address; the
server delivers a direct message as an events_api envelope, and the app must acknowledge
the envelope and answer through the Web API, just as it does over HTTP.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from slack_mock.harness import STAFF
from slack_mock.payloads import SlackPayloads
from slack_mock.socket_mode import MockSocketModeServer, events_api_envelope
from slack_mock.web_api import VALID_APP_TOKEN, VALID_BOT_TOKEN, MockSlackWebApi
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.surfaces.slack.app import build_app, socket_mode_handler
from bot.surfaces.slack.credentials import SlackCredentials
from bot.surfaces.slack.services import SlackServices

pytest_plugins = ["slack_mock.fixtures"]


@pytest.fixture
def socket_server(slack_api: MockSlackWebApi) -> Iterator[MockSocketModeServer]:
    with MockSocketModeServer() as server:
        slack_api.socket_mode_url = server.url
        yield server


@pytest.fixture
def services(slack_settings: Settings) -> Iterator[SlackServices]:
    opened = SlackServices.open(slack_settings)
    yield opened
    opened.store.dispose()


def _socket_app(services: SlackServices, app_token: str = VALID_APP_TOKEN):
    credentials = SlackCredentials(bot_token=VALID_BOT_TOKEN, app_token=app_token)
    return socket_mode_handler(build_app(services, credentials, socket_mode=True), app_token)


def test_a_dm_over_socket_mode_is_acknowledged_and_answered(
        services: SlackServices, slack_api: MockSlackWebApi,
        socket_server: MockSocketModeServer) -> None:
    handler = _socket_app(services)
    handler.connect()
    try:
        assert socket_server.connected.wait(10)
        [opened] = slack_api.calls_to("apps.connections.open")
        assert opened.token == VALID_APP_TOKEN  # the app-level token, not the bot token

        event = SlackPayloads().direct_message(STAFF, "Can I accept a bottle of wine from a "
                                                      "victim?")
        envelope_id = socket_server.deliver(events_api_envelope(event))
        assert socket_server.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}

        answer = slack_api.wait_for("chat.postMessage")[0]
        assert answer["channel"] == f"D{STAFF[1:]}" and answer.token == VALID_BOT_TOKEN
        assert "section" in json.dumps(answer["blocks"]).lower()
        assert "gift" in json.dumps(answer["blocks"]).lower()
    finally:
        handler.close()


def test_a_redelivered_envelope_is_acknowledged_and_not_answered_twice(
        services: SlackServices, slack_api: MockSlackWebApi,
        socket_server: MockSocketModeServer) -> None:
    handler = _socket_app(services)
    handler.connect()
    try:
        event = SlackPayloads().direct_message(STAFF, "Can I accept a bottle of wine?")
        first = socket_server.deliver(events_api_envelope(event))
        socket_server.wait_for_ack(first)
        slack_api.wait_for("chat.postMessage")
        again = socket_server.deliver(events_api_envelope(event, retry_attempt=1))
        assert socket_server.wait_for_ack(again) == {"envelope_id": again}
        time.sleep(0.5)  # a second answer would be posted after the ack, in Bolt's pool
        assert len(slack_api.calls_to("chat.postMessage")) == 1
    finally:
        handler.close()


def test_a_refused_app_token_is_an_api_error_not_a_hang(
        services: SlackServices, slack_api: MockSlackWebApi,
        socket_server: MockSocketModeServer) -> None:
    handler = _socket_app(services, app_token="xapp-1-revoked")
    with pytest.raises(SlackApiError) as refused:
        handler.connect()
    assert refused.value.response["error"] == "invalid_auth"
    assert not socket_server.connected.is_set()
