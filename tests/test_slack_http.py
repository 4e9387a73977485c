"""The Slack app over HTTP: signatures, retries, start-up errors and the Web API client."""

from __future__ import annotations

import time

import pytest
from slack_mock.harness import SlackHarness
from slack_mock.signing import SIGNING_SECRET

from bot.surfaces.slack.app import build_app, web_client
from bot.surfaces.slack.credentials import SlackCredentials, SlackSetupError
from bot.surfaces.slack.services import SlackServices

pytest_plugins = ["slack_mock.fixtures"]


def test_url_verification_echoes_the_challenge(slack: SlackHarness) -> None:
    response = slack.send.event(slack.payloads.url_verification("c-123"))
    assert response.status == 200
    assert response.json() == {"challenge": "c-123"}


def test_a_request_signed_with_another_secret_is_refused(slack: SlackHarness) -> None:
    response = slack.send.event(slack.payloads.url_verification("c-123"),
                                secret="not-" + SIGNING_SECRET)
    assert response.status == 401


def test_a_forged_signature_header_is_refused(slack: SlackHarness) -> None:
    response = slack.send.event(slack.payloads.url_verification("c"), signature="v0=00ff")
    assert response.status == 401


def test_a_replayed_request_with_a_stale_timestamp_is_refused(slack: SlackHarness) -> None:
    ten_minutes_ago = int(time.time()) - 600
    response = slack.send.event(slack.payloads.url_verification("c"), timestamp=ten_minutes_ago)
    assert response.status == 401


def test_health_check_answers_for_load_balancers(slack: SlackHarness) -> None:
    import urllib.request

    url = slack.server.url + "/healthz"
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.read() == b"ok\n"


def test_a_wrong_bot_token_stops_start_up_with_a_plain_message(slack_settings) -> None:
    services = SlackServices.open(slack_settings)
    credentials = SlackCredentials(bot_token="xoxb-revoked", signing_secret=SIGNING_SECRET)
    with pytest.raises(SlackSetupError, match="invalid_auth"):
        build_app(services, credentials)
    services.store.dispose()


@pytest.mark.parametrize(
    ("credentials", "socket_mode", "complaint"),
    [
        (SlackCredentials(signing_secret="s"), False, "SLACK_BOT_TOKEN is not set"),
        (SlackCredentials(bot_token="xoxp-user", signing_secret="s"), False, "starting with xoxb-"),
        (SlackCredentials(bot_token="xoxb-1"), False, "SLACK_SIGNING_SECRET is not set"),
        (SlackCredentials(bot_token="xoxb-1"), True, "SLACK_APP_TOKEN is not set"),
        (SlackCredentials(bot_token="xoxb-1", app_token="xoxb-2"), True, "starting with xapp-"),
    ],
)
def test_missing_or_malformed_tokens_are_named(credentials, socket_mode, complaint) -> None:
    with pytest.raises(SlackSetupError, match=complaint):
        credentials.check(socket_mode)


def test_the_web_client_waits_out_a_rate_limit(slack_api) -> None:
    slack_api.rate_limit("chat.postMessage", times=1, retry_after=1)
    client = web_client("xoxb-test-valid-token", slack_api.url)
    response = client.chat_postMessage(channel="C1", text="hello")
    assert response["ok"]
    assert len(slack_api.calls_to("chat.postMessage")) == 2


def test_every_shortcut_in_the_manifest_opens_a_modal(slack: SlackHarness) -> None:
    import yaml

    from bot.config import PROJECT_ROOT

    manifest = yaml.safe_load((PROJECT_ROOT / "slack" / "manifest.yaml").read_text())
    shortcuts = manifest["features"]["shortcuts"]
    for number, shortcut in enumerate(shortcuts, start=1):
        response = slack.send.interaction(slack.payloads.shortcut("U0STAFF01",
                                                                  shortcut["callback_id"]))
        assert response.status == 200
        slack.api.wait_for("views.open", count=number)
    assert manifest["features"]["slash_commands"][0]["command"] == "/integrity"
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened", "app_mention", "message.im", "app_uninstalled", "tokens_revoked"}


def test_the_manifest_asks_for_exactly_the_scopes_the_self_check_requires() -> None:
    from bot.config import PROJECT_ROOT
    from bot.surfaces.slack.selfcheck import CHANNEL_SCOPES, REQUIRED_SCOPES
    from bot.yamlio import load_yaml

    manifest = load_yaml((PROJECT_ROOT / "slack" / "manifest.yaml").read_text())
    asked = set(manifest["oauth_config"]["scopes"]["bot"])
    # im:read and im:write were asked for and never used.
    assert asked == set(REQUIRED_SCOPES) | {CHANNEL_SCOPES[0]}


def test_app_home_offers_every_workflow_and_the_persons_declarations(
        slack: SlackHarness) -> None:
    slack.send.event(slack.payloads.app_home_opened("U0STAFF01"))
    home = slack.api.wait_for("views.publish")[0]
    assert home["user_id"] == "U0STAFF01" and home["view"]["type"] == "home"
    buttons = [e["text"]["text"] for b in home["view"]["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    for definition in slack.services.definitions.values():
        if definition.files == "declaration":
            assert definition.title in buttons
    assert "Report wrongdoing" in buttons and "Follow up a report" in buttons
    assert "My declarations" in str(home["view"]["blocks"])


def test_app_home_search_answers_a_policy_question(slack: SlackHarness) -> None:
    search = slack.payloads.block_action("U0STAFF01", "probity_home_search",
                                         "can I accept football tickets from a supplier?",
                                         view={"id": "V0HOME", "type": "home"})
    slack.send.interaction(search)
    home = slack.api.wait_for("views.publish")[0]
    assert "Gifts and Hospitality" in str(home["view"]["blocks"])
