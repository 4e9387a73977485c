"""Building the Bolt app: a retrying Web API client, signature checks, Probity's listeners."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.messages import say
from bot.surfaces.slack.access import NotAllowed, Workspace, refusal_for_user
from bot.surfaces.slack.credentials import SlackCredentials, SlackSetupError
from bot.surfaces.slack.notifier import SlackNotifier
from bot.surfaces.slack.services import SlackServices
from bot.surfaces.slack.turns import SlackUser

log = logging.getLogger(__name__)


#: Methods given a trigger_id, which Slack lets live for 3 s: never worth waiting for.
TRIGGER_METHODS = ("views.open", "views.push")
#: The longest rate-limit wait a listener's call may spend; anything longer fails fast and
#: what it carried goes to the outbox, whose jobs wait as long as Slack asks.
MAX_RATE_LIMIT_WAIT = 1.0


class CappedRateLimitRetryHandler(RetryHandler):
    """Retries a 429 only when Slack's Retry-After fits in MAX_RATE_LIMIT_WAIT, and never a
    call spending a trigger_id (it would expire while waiting).

    slack_sdk's own handler sleeps whatever Retry-After says: with Retry-After 4 a
    views.open went out at 4.3 s, after its trigger had expired.
    """

    def __init__(self, max_retry_count: int = 2, max_wait: float = MAX_RATE_LIMIT_WAIT) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    def _can_retry(self, *, state: RetryState, request: HttpRequest,
                   response: HttpResponse | None = None, error: Exception | None = None
                   ) -> bool:
        if response is None or response.status_code != 429:
            return False
        if request.url.rstrip("/").endswith(TRIGGER_METHODS):
            return False
        return retry_after_seconds(response.headers) <= self.max_wait

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None,
                                 error: Exception | None = None) -> None:
        wait = retry_after_seconds(response.headers) if response is not None else 0.0
        state.next_attempt_requested = True
        time.sleep(min(self.max_wait, wait + random.random() * 0.2))
        state.increment_current_attempt()


def retry_after_seconds(headers: Any) -> float:
    """Slack's Retry-After in seconds (slack_sdk gives header values as lists)."""
    for name, value in dict(headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return float(value[0] if isinstance(value, list) else value)
            except (TypeError, ValueError, IndexError):
                break
    return 1.0


def web_client(token: str | None, api_url: str | None) -> WebClient:
    """The listeners' WebClient: short rate-limit waits only, dropped connections retried
    twice and a 5xx once.

    `api_url` (PROBITY_SLACK_API_URL) points it at GovSlack or a test double.
    """
    client = WebClient(token=token, base_url=api_url or WebClient.BASE_URL, timeout=15)
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=2),
        CappedRateLimitRetryHandler(),
        ServerErrorRetryHandler(max_retry_count=1),
    ]
    return client


def build_app(services: SlackServices, credentials: SlackCredentials, *,
              socket_mode: bool = False) -> App:
    """The Bolt app with every Probity listener registered.

    The bot token is checked against auth.test here, so a wrong token stops start-up with
    a plain message rather than failing on the first message someone sends.
    """
    from bot.surfaces.slack.listeners import register_all

    credentials.check(socket_mode)
    quiet_library_logs()
    client = web_client(credentials.bot_token, services.settings.slack_api_url)
    try:
        app = App(
            client=client,
            # Socket Mode needs no signature: the WebSocket is already authenticated.
            signing_secret=credentials.signing_secret or "",
            request_verification_enabled=not socket_mode,
            token_verification_enabled=True,
            # Listeners call ack() first and do slow work after it, in Bolt's thread pool.
            process_before_response=False,
            # Bolt's default pool is 5 threads: with the Web API answering in 150 ms, a
            # burst of DMs kept 490 of 500 presses waiting past Slack's 3 s.
            listener_executor=ThreadPoolExecutor(
                max_workers=services.settings.slack_workers,
                thread_name_prefix="probity-slack"),
            logger=logging.getLogger("slack_bolt.probity"),
        )
    except BoltError as error:
        raise SlackSetupError(_explain(str(error))) from None
    except OSError as error:  # URLError and socket errors while calling auth.test
        raise SlackSetupError(say("slack.setup_unreachable", url=client.base_url,
                                  error=error)) from None
    services.events = ThreadPoolExecutor(max_workers=services.settings.slack_workers,
                                         thread_name_prefix="probity-slack-events")
    services.people.gate = access_gate(_home(app.client), services.settings.slack_allow_guests)
    services.casework.notifier = SlackNotifier(services.store)
    from bot.surfaces.slack.card_jobs import announce_filed

    if announce_filed not in services.assistant.turns.on_filed:
        services.assistant.turns.on_filed.append(announce_filed)
    register_all(app, services)
    return app


def _home(client: WebClient) -> Workspace:
    """The workspace (and Grid organisation) the bot token belongs to."""
    auth = client.auth_test()
    return Workspace(team_id=auth.get("team_id"), enterprise_id=auth.get("enterprise_id"))


def access_gate(home: Workspace, allow_guests: bool) -> Callable[[SlackUser], None]:
    """People.speaker's check: raises NotAllowed for a user who may not use Probity."""

    def gate(user: SlackUser) -> None:
        reason = refusal_for_user(user, home, allow_guests=allow_guests)
        if reason is not None:
            raise NotAllowed(reason)

    return gate


#: Slack's libraries, which log whole request and response bodies at DEBUG.
LIBRARY_LOGGERS = ("slack_bolt", "slack_sdk")


def quiet_library_logs() -> None:
    """Hold Bolt and slack_sdk at INFO or above, whatever the root level.

    At DEBUG they log every payload and response: report text, the receipt in a report's
    final view, and the Slack user id each payload carries, which would tie an anonymous
    report to its sender. Probity's own lines carry none of those, so only these are held.
    """
    names = [name for name in logging.root.manager.loggerDict
             if any(name == lib or name.startswith(lib + ".") for lib in LIBRARY_LOGGERS)]
    for name in {*LIBRARY_LOGGERS, *names}:
        logger = logging.getLogger(name)
        # A child left at NOTSET follows its library's top logger, which is held here.
        held = name in LIBRARY_LOGGERS or logger.level != logging.NOTSET
        if held and logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)


def socket_mode_handler(app: App, app_token: str | None) -> SocketModeHandler:
    """Bolt's Socket Mode adapter on slack_sdk's built-in WebSocket client.

    It asks apps.connections.open (through the app's own client, so PROBITY_SLACK_API_URL
    applies) for the WebSocket address, then acknowledges each envelope once a listener
    has called ack().
    """
    return SocketModeHandler(app, app_token)


def _explain(error: str) -> str:
    if "invalid_auth" in error or "not_authed" in error or "account_inactive" in error:
        return say("slack.setup_token_refused")
    return say("slack.setup_rejected", error=error)
