"""Listeners: direct messages and mentions, turned into Turns for the assistant.

A DM is one continuing conversation per person; a mention is answered in a thread, as a
policy answer only (declarations are never taken in a channel).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.messages import say
from bot.surfaces.slack import blocks
from bot.surfaces.slack.escaping import escape_mrkdwn
from bot.surfaces.slack.listeners import reports
from bot.surfaces.slack.listeners.shared import once_in_background
from bot.surfaces.slack.services import SlackServices
from bot.surfaces.slack.turns import (
    action_turn,
    conversation_key,
    message_turn,
    plain_text_of,
    workspace_key,
)
from bot.turns import Reply

log = logging.getLogger(__name__)

#: The workflow Slack runs only as a modal (see listeners/reports.py).
REPORT_WORKFLOW = "report"
#: The core's keyword commands (bot.reporting.chat) Slack answers with a modal's button.
REPORT_COMMAND = "report"
FOLLOW_UP_COMMAND = "follow up"

_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
_DM_ACTIONS = re.compile(rf"^({blocks.CHOICE_ACTION}(:\d+)?|{blocks.DATE_ACTION}|"
                         rf"{blocks.PERSON_ACTION}|{blocks.SELECT_ACTION})$")


def register(app: App, services: SlackServices) -> None:
    @app.event({"type": "message", "channel_type": "im"})
    def direct_message(body: dict[str, Any], event: dict[str, Any], client: WebClient,
                       context: Any) -> None:
        # Edits, bot echoes and joins arrive as subtypes; only what a person typed is a turn.
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        once_in_background(services, body, client,
                           lambda: _converse(services, event, client, context))

    def _converse(services: SlackServices, event: dict[str, Any], client: WebClient,
                  context: Any) -> None:
        speaker = services.people.speaker(client, event["user"])
        key = conversation_key(workspace_key(event, context), event["user"])
        text = plain_text_of(event.get("text", ""), context.get("bot_user_id"))
        if _wants_to_report(services, text):
            _offer_report_form(client, event["channel"])
            return
        if _wants_to_follow_up(services, text):
            _offer_followup_form(client, event["channel"])
            return
        replies = services.handle(message_turn(speaker, key, text))
        if _report_started(replies):
            # Belt and braces: if the core began the report workflow anyway, drop it.
            services.handle(message_turn(speaker, key, "cancel"))
            _offer_report_form(client, event["channel"])
            return
        send_replies(services, client, event["channel"], replies)

    @app.event("app_mention")
    def mention(body: dict[str, Any], event: dict[str, Any], client: WebClient,
                context: Any) -> None:
        # Another bot's mention is never answered (two bots could answer each other for
        # ever), nor an edit's; one with no user (some integrations) has nobody to answer.
        if event.get("bot_id") or event.get("subtype") or not event.get("user") \
                or event.get("user") == context.get("bot_user_id"):
            return
        once_in_background(services, body, client,
                           lambda: _answer_mention(services, event, client, context))

    def _answer_mention(services: SlackServices, event: dict[str, Any], client: WebClient,
                        context: Any) -> None:
        speaker = services.people.speaker(client, event["user"])
        question = plain_text_of(event.get("text", ""), context.get("bot_user_id"))
        replies = services.answer(speaker, question) if question else []
        if not replies:
            return
        send_replies(services, client, event["channel"], replies,
                     thread_ts=event.get("thread_ts") or event["ts"])

    @app.event("message")
    def other_messages() -> None:
        """Channel messages Probity is not addressed in: nothing to do."""

    @app.action(_DM_ACTIONS)
    def pressed(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                client: WebClient, context: Any) -> None:
        ack()
        if action.get("value") == f"start:{REPORT_WORKFLOW}":
            reports.open_report_modal(services, client, body["trigger_id"])
            return
        user_id = body["user"]["id"]
        speaker = services.people.speaker(client, user_id)
        key = conversation_key(workspace_key(body, context), user_id)
        picked = None
        if action.get("type") == "users_select" and action.get("selected_user"):
            # The engine finds people by name among Slack users it knows, so make sure the
            # picked colleague is known before their name is given.
            chosen = services.people.speaker(client, action["selected_user"])
            services.person_id(chosen)
            picked = chosen.display_name
        turn = action_turn(speaker, key, action, picked_name=picked)
        channel = body["container"].get("channel_id") or body["channel"]["id"]
        _close_question(client, body, action)
        send_replies(services, client, channel, services.handle(turn))


def send_replies(services: SlackServices, client: WebClient, channel: str,
                 replies: list[Reply], thread_ts: str | None = None) -> None:
    """Post replies as Block Kit (split at 50 blocks). The unit's card on anything filed is
    an outbox job written with the filing (card_jobs.announce_filed)."""
    for message in blocks.messages(replies):
        client.chat_postMessage(channel=channel, blocks=message.blocks, thread_ts=thread_ts,
                                text=message.text)


def _wants_to_report(services: SlackServices, text: str) -> bool:
    """Whether a DM asks to make a report: that is done in a modal, never in the chat."""
    if REPORT_WORKFLOW not in services.definitions:
        return False
    return (services.command_for(text) == REPORT_COMMAND
            or services.workflow_asked_for(text) == REPORT_WORKFLOW)


def _wants_to_follow_up(services: SlackServices, text: str) -> bool:
    # A receipt typed into a DM would stay in message history; follow-up is a modal.
    return services.command_for(text) == FOLLOW_UP_COMMAND


def _offer_followup_form(client: WebClient, channel: str) -> None:
    text = say("slack.followup_in_form")
    client.chat_postMessage(channel=channel, text=text, blocks=[
        blocks.section(text),
        *blocks.actions([blocks.button(say("slack.followup_title"), reports.OPEN_FOLLOWUP,
                                       "followup", "primary")]),
    ])


def _report_started(replies: list[Reply]) -> bool:
    return any(reply.kind == "question" and reply.data.get("workflow") == REPORT_WORKFLOW
               for reply in replies)


def _offer_report_form(client: WebClient, channel: str) -> None:
    text = say("slack.report_in_form")
    client.chat_postMessage(channel=channel, text=text, blocks=[
        blocks.section(text),
        *blocks.actions([blocks.button(say("slack.report_anonymously"), reports.OPEN_REPORT,
                                       "report", "primary")]),
    ])


def _close_question(client: WebClient, body: dict[str, Any], action: dict[str, Any]) -> None:
    """Replace the answered question's buttons with what was chosen, so it can't be pressed
    twice by accident."""
    message = body.get("message")
    container = body.get("container") or {}
    if not message or not container.get("message_ts"):
        return
    chosen = escape_mrkdwn((action.get("text") or {}).get("text") or (
        action.get("selected_option") or {}).get("text", {}).get("text") or (
        action.get("selected_date") or ""))
    picked = str(action.get("selected_user") or "")
    if not chosen and _USER_ID.fullmatch(picked):
        chosen = f"<@{picked}>"  # a checked user id: shown as the person, not as text
    kept = [b for b in message.get("blocks", []) if b.get("type") != "actions"]
    kept.append(blocks.context(f"You chose: {chosen}" if chosen else "Answered.",
                               escape=False))
    client.chat_update(channel=container["channel_id"], ts=container["message_ts"],
                       blocks=kept, text=message.get("text") or "Answered.")
