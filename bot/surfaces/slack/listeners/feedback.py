"""Listeners: "Was this helpful?" votes, and asking the integrity unit what the policies miss."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.knowledge.feedback import record_feedback
from bot.messages import say
from bot.surfaces.slack import blocks
from bot.surfaces.slack.escaping import escape_mrkdwn
from bot.surfaces.slack.modals import plain_values, text_input
from bot.surfaces.slack.services import SlackServices

ASK_UNIT_CALLBACK = "probity_ask_unit"
QUESTION_BLOCK = "question"


def register(app: App, services: SlackServices) -> None:
    @app.action(re.compile(rf"^{blocks.FEEDBACK_ACTION}_(yes|no)$"))
    def vote(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        try:
            cast = json.loads(action.get("value") or "{}")
        except ValueError:
            return
        # Only the passage and the vote are passed on: the voter is not.
        with services.store.transaction() as session:
            record_feedback(session, _name(cast.get("document")), _name(cast.get("section")),
                            cast.get("helpful") is True, services.today())
        container = body.get("container") or {}
        message = body.get("message") or {}
        if container.get("message_ts") and message.get("blocks"):
            kept = [b for b in message["blocks"]
                    if blocks.base_block_id(str(b.get("block_id") or "")) != "feedback" and
                    b.get("elements", [{}])[0].get("text") != say("slack.feedback_prompt")]
            kept.append(blocks.context(say("slack.feedback_thanks")))
            client.chat_update(channel=container["channel_id"], ts=container["message_ts"],
                               blocks=kept,
                               text=message.get("text") or say("slack.feedback_thanks_short"))

    @app.action(blocks.ASK_UNIT_ACTION)
    def ask_unit(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=blocks.modal(
            say("slack.ask_unit"), [
                blocks.section(say("slack.ask_unit_intro")),
                text_input(QUESTION_BLOCK, say("slack.ask_unit_question"), multiline=True),
            ], callback_id=ASK_UNIT_CALLBACK, submit=say("slack.ask_unit_send")))

    @app.view(ASK_UNIT_CALLBACK)
    def send_question(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                      client: WebClient) -> None:
        question = plain_values(view["state"]["values"]).get(QUESTION_BLOCK, "")
        if not question:
            # Slack lets only spaces through a required field; say so rather than claim to
            # have sent nothing.
            ack(response_action="errors", errors={QUESTION_BLOCK: say("slack.ask_unit_empty")})
            return
        ack()
        channel = services.settings.integrity_channel
        user = body["user"]["id"]
        if not channel:
            client.chat_postMessage(channel=user, text=say("slack.ask_unit_no_channel"))
            return
        name = services.people.display_name(client, user)
        text = say("slack.ask_unit_posted_text", name=escape_mrkdwn(name), user=user)
        client.chat_postMessage(channel=channel, text=text, blocks=[
            blocks.section(say("slack.ask_unit_posted_heading", name=escape_mrkdwn(name),
                               user=user), escape=False),
            *blocks.plain_sections(question)])
        client.chat_postMessage(channel=user, text=say("slack.ask_unit_sent"))


def _name(value: object) -> str | None:
    # The button's value is only as trustworthy as the payload: keep text, drop anything else.
    return value if isinstance(value, str) else None
