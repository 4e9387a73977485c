"""The buttons on a campaign's DM (read the policy, I have read and understood it, the
annual return's answers): each press is a turn for the campaigns plug-in, as in a DM."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.surfaces.slack.listeners.conversation import send_replies
from bot.surfaces.slack.services import SlackServices
from bot.surfaces.slack.turns import action_turn, conversation_key, workspace_key

#: Every campaign button's action_id starts so; its value is the campaign action
#: ("campaign_ack:3").
CAMPAIGN_ACTION = "probity_campaign"
_CAMPAIGN_BUTTONS = re.compile(rf"^{CAMPAIGN_ACTION}(:[a-z_]+)?$")


def campaign_action_id(action: str) -> str:
    """The button's action_id: unique within a message for each kind of campaign action."""
    return f"{CAMPAIGN_ACTION}:{action.partition(':')[0]}"


def register(app: App, services: SlackServices) -> None:
    @app.action(_CAMPAIGN_BUTTONS)
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
