"""Probity's Bolt listeners, one module per area; `register_all` wires them into an app."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.response import BoltResponse

from bot.surfaces.slack.deliveries import claim_delivery
from bot.surfaces.slack.services import SlackServices

log = logging.getLogger(__name__)


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
        reports,
    )

    app.middleware(_once_per_event(services))
    for module in (conversation, feedback, commands, home, declarations, reports, integrity,
                   endorsement, answers, campaigns):
        module.register(app, services)


def _once_per_event(services: SlackServices) -> Callable[..., Any]:
    """Drop an Events API delivery whose event_id was already handled.

    Slack resends an event it thinks failed (X-Slack-Retry-Num); the first delivery is
    claimed before any listener runs, so the retry is acknowledged and does nothing.
    """

    def middleware(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not claim_delivery(services.store, f"slack:event:{event_id}"):
            log.info("ignoring a repeated delivery of Slack event %s", event_id)
            return BoltResponse(status=200, body="")
        return next()

    return middleware
