"""The buttons on a campaign's DM (read the policy, I have read and understood it, the
annual return's answers): each press is a turn for the campaigns plug-in, as in a DM."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.surfaces.slack.listeners.conversation import send_replies
from bot.surfaces.slack.services import SlackServices
from bot.surfaces.slack.turns import action_turn, conversation_key, workspace_key

#: Every campaign button; its value is the campaign action ("campaign_ack:3").
CAMPAIGN_ACTION = "probity_campaign"


def register(app: App, services: SlackServices) -> None:
    @app.action(CAMPAIGN_ACTION)
    def pressed(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                client: WebClient, context: Any) -> None:
        ack()
        user_id = body["user"]["id"]
        speaker = services.people.speaker(client, user_id)
        # The same conversation as the person's DMs (on Enterprise Grid, the enterprise's).
        key = conversation_key(workspace_key(body, context), user_id)
        channel = (body.get("container") or {}).get("channel_id") or body["channel"]["id"]
        send_replies(services, client, channel, services.handle(action_turn(speaker, key,
                                                                            action)))
