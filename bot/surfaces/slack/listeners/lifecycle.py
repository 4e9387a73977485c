"""Listeners: the installation itself changing: the app uninstalled or its tokens revoked.

Nothing Probity holds is deleted (declarations and reports are the force's records), but
every Slack call would now fail: say so loudly, forget the looked-up users, and let the
outbox's jobs wait, visible in `probity jobs`, until the app is reinstalled.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.surfaces.slack.services import SlackServices

log = logging.getLogger(__name__)


def register(app: App, services: SlackServices) -> None:
    @app.event("app_uninstalled")
    def uninstalled(event: dict[str, Any]) -> None:
        services.slack_revoked = True
        services.people.forget_all()
        log.error("Probity was uninstalled from Slack: Slack calls will fail and outbox jobs "
                  "wait until it is reinstalled (see `probity jobs`)")

    @app.event("tokens_revoked")
    def revoked(event: dict[str, Any]) -> None:
        tokens = event.get("tokens") or {}
        if tokens.get("bot"):
            services.slack_revoked = True
            services.people.forget_all()
            log.error("Slack revoked Probity's bot token: reinstall the app and set the new "
                      "SLACK_BOT_TOKEN; outbox jobs wait until then (see `probity jobs`)")
