"""Telling declarants by direct message what the integrity unit decided or needs to know."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.casework.notify import DeclarantNotice
from bot.surfaces.slack.blocks import section
from bot.surfaces.slack.turns import SURFACE


class SlackNotifier:
    """casework's Notifier for Slack users; people from other surfaces are left alone."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def notify(self, notice: DeclarantNotice) -> None:
        if notice.surface != SURFACE:
            return
        # Posting to a user id opens (or reuses) the bot's DM with them.
        self._client.chat_postMessage(channel=notice.surface_id, text=notice.text,
                                      blocks=[section(notice.text)])
