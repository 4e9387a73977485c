"""Listeners: feedback (placeholder until the core lands)."""

from __future__ import annotations

from slack_bolt import App

from bot.surfaces.slack.services import SlackServices


def register(app: App, services: SlackServices) -> None:
    return None
