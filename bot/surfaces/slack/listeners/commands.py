"""Listeners: the `/integrity` slash command and the global shortcuts.

Each verb only decides which surface to open (an answer, a conversation, a modal); what
happens inside it belongs to the core.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.messages import say
from bot.surfaces.slack import blocks
from bot.surfaces.slack.listeners import declarations, reports
from bot.surfaces.slack.services import SlackServices
from bot.turns import Reply

log = logging.getLogger(__name__)


def register(app: App, services: SlackServices) -> None:
    @app.command("/integrity")
    def integrity(ack: Ack, command: dict[str, Any], client: WebClient,
                  respond: Respond) -> None:
        ack()
        verb, _, rest = (command.get("text") or "").strip().partition(" ")
        verb, rest = verb.lower(), rest.strip()
        trigger_id = command["trigger_id"]
        user_id = command["user_id"]
        if verb == "report":
            reports.open_report_modal(services, client, trigger_id)
        elif verb in {"followup", "follow-up", "follow"}:
            reports.open_followup_modal(client, trigger_id)
        elif verb == "ask" and rest:
            respond_all(respond, services.answer(services.people.speaker(client, user_id),
                                                 rest))
        elif verb == "declare":
            if not declarations.open_declaration_modal(services, client, trigger_id, rest):
                respond(text=say("slack.declare_what"))
        elif verb == "console":
            send_console_link(services, client, user_id, respond)
        elif verb == "mine":
            respond_all(respond, services.my_declarations(
                services.people.speaker(client, user_id)))
        else:
            help_text = say("slack.command_help")
            respond(text=help_text, blocks=[blocks.section(help_text, escape=False)])

    @app.shortcut("probity_declare")
    def declare_shortcut(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        declarations.open_choice_modal(services, client, body["trigger_id"])


def send_console_link(services: SlackServices, client: WebClient, user_id: str,
                      respond: Respond) -> None:
    """A one-time console sign-in link, sent by DM so only that person sees it; anyone who
    is not a handler (or a line manager with endorsements) is refused, and that is audited."""
    from bot.messages import say
    from bot.surfaces.web.console.signin import SignInRefused, issue_link

    person_id = services.person_id(services.people.speaker(client, user_id))
    try:
        url = issue_link(services.store, services.settings, person_id)
    except SignInRefused as refused:
        respond(text=str(refused))
        return
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.chat_postMessage(channel=channel, text=say(
        "console.link_issued", url=url, minutes=services.settings.console_link_minutes))
    respond(text=say("console.link_sent"))


#: Slack accepts at most five messages through one command's response_url.
RESPONSES_PER_COMMAND = 5


def respond_all(respond: Respond, replies: list[Reply]) -> None:
    """Every message of the replies, in order, each within Block Kit's limits."""
    messages = blocks.messages(replies)
    if len(messages) > RESPONSES_PER_COMMAND:
        last = messages[RESPONSES_PER_COMMAND - 1]
        hidden = len(messages) - RESPONSES_PER_COMMAND
        # The fifth message gives up a block, if it must, to say where the rest is.
        messages[RESPONSES_PER_COMMAND - 1] = blocks.Message(last.text, [
            *last.blocks[:blocks.BLOCKS_PER_MESSAGE - 1],
            blocks.context(say("slack.more_in_dm", count=hidden))])
        messages = messages[:RESPONSES_PER_COMMAND]
    for message in messages:
        respond(text=message.text, blocks=message.blocks)
