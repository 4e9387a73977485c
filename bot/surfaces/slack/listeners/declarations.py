"""Listeners: declarations as modals built from the workflow definitions."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.surfaces.slack.services import SlackServices


def register(app: App, services: SlackServices) -> None:
    return None


def open_declaration_modal(services: SlackServices, client: WebClient, trigger_id: str,
                           what: str) -> bool:
    return False


def open_choice_modal(services: SlackServices, client: WebClient, trigger_id: str) -> None:
    return None
