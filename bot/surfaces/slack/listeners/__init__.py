"""Probity's Bolt listeners, one module per area; `register_all` wires them into an app."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient

from bot.surfaces.slack.access import (
    NotAllowed,
    installed_in,
    refusal_for_payload,
    refusal_for_user,
    sender_of,
)
from bot.surfaces.slack.listeners.shared import refusal_view, tell_later
from bot.surfaces.slack.services import SlackServices

log = logging.getLogger(__name__)

#: Events about the installation itself, which carry no person to check.
LIFECYCLE_EVENTS = frozenset({"app_uninstalled", "tokens_revoked", "grid_migration_started",
                              "grid_migration_finished"})


def register_all(app: App, services: SlackServices) -> None:
    from bot.surfaces.slack.listeners import (
        answers,
        campaigns,
        commands,
        conversation,
        declarations,
        endorsement,
        feedback,
        home,
        integrity,
        lifecycle,
        reports,
    )

    app.middleware(_log_request_kind)
    # Events are claimed once, after their 200, in listeners.shared.once_in_background.
    app.middleware(_who_may_use(services))
    app.error(_on_error)
    for module in (lifecycle, conversation, feedback, commands, home, declarations, reports,
                   integrity, endorsement, answers, campaigns):
        module.register(app, services)


def _log_request_kind(body: dict[str, Any], next: Callable[[], Any]) -> Any:
    """One DEBUG line per request naming its kind only (event type, action, view callback):
    never an id, text or value, which could tie a report to its sender."""
    kind = str(body.get("type") or ("slash_command" if body.get("command") else "unknown"))
    detail = ((body.get("event") or {}).get("type") or (body.get("view") or {}).get(
        "callback_id") or "")
    started = time.monotonic()
    response = next()
    log.debug("slack %s %s passed to its listener in %.0f ms", kind, str(detail)[:40],
              (time.monotonic() - started) * 1000)
    return response


def _who_may_use(services: SlackServices) -> Callable[..., Any]:
    """Refuse Slack Connect externals, other organisations' users and (unless allowed)
    guests before any listener runs, from the payload or the users already looked up; a
    user looked up for the first time is checked by People.speaker."""

    def middleware(body: dict[str, Any], context: Any, client: WebClient,
                   next: Callable[[], Any]) -> Any:
        event = body.get("event") or {}
        if body.get("type") == "event_callback" and (
                event.get("type") in LIFECYCLE_EVENTS or not event.get("user")):
            return next()
        home = installed_in(body, context)
        user_id = sender_of(body)[0]
        reason = refusal_for_payload(body, home)
        known = services.people.known(user_id) if user_id and reason is None else None
        if known is not None:
            reason = refusal_for_user(known, home,
                                      allow_guests=services.settings.slack_allow_guests)
        if reason is None:
            return next()
        refused = NotAllowed(reason)
        log.info("refused a Slack request from outside who may use Probity (%s)", reason)
        if body.get("command"):
            return BoltResponse(status=200, body=refused.text)
        if body.get("type") == "view_submission":
            return BoltResponse(status=200, headers={"content-type": "application/json"},
                                body=json.dumps({"response_action": "update",
                                                 "view": refusal_view(body["view"], refused)}))
        if user_id and not event.get("bot_id"):
            tell_later(client, body, user_id, refused.text)
        return BoltResponse(status=200, body="")

    return middleware


def _on_error(error: Exception, body: dict[str, Any], client: WebClient) -> None:
    """A listener met someone who may not use Probity (People.speaker): tell them so."""
    if isinstance(error, NotAllowed):
        user_id = sender_of(body)[0]
        if user_id:
            tell_later(client, body, user_id, error.text)
        return
    log.error("a Slack listener failed: %s", type(error).__name__, exc_info=error)
