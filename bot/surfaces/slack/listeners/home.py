"""Listeners: App Home: start any workflow, see my declarations, search the policies."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.surfaces.slack import blocks
from bot.surfaces.slack.escaping import escape_mrkdwn
from bot.surfaces.slack.listeners.declarations import OPEN_DECLARATION
from bot.surfaces.slack.listeners.reports import OPEN_FOLLOWUP, OPEN_REPORT
from bot.surfaces.slack.services import SlackServices
from bot.turns import Reply

SEARCH_ACTION = "probity_home_search"
SEARCH_BLOCK = "search"
_HOME_BLOCKS = 100


def register(app: App, services: SlackServices) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        publish_home(services, client, event["user"])

    @app.action(SEARCH_ACTION)
    def search(ack: Ack, body: dict[str, Any], action: dict[str, Any],
               client: WebClient) -> None:
        ack()
        question = (action.get("value") or "").strip()
        user = body["user"]["id"]
        answers = (services.answer(services.people.speaker(client, user), question)
                   if question else [])
        publish_home(services, client, user, answers)


def publish_home(services: SlackServices, client: WebClient, user_id: str,
                 answers: list[Reply] | None = None) -> None:
    speaker = services.people.speaker(client, user_id)
    start = [blocks.button(d.title, OPEN_DECLARATION, d.name)
             for d in services.definitions.values() if d.files == "declaration"]
    start += [blocks.button("Report wrongdoing", OPEN_REPORT, "report", "danger"),
              blocks.button("Follow up a report", OPEN_FOLLOWUP, "followup")]
    view_blocks: list[dict[str, Any]] = [
        blocks.header("Probity: integrity, made simple"),
        blocks.section("Ask me anything about the integrity policies in a direct message, "
                       "or start here."),
        *blocks.actions(start, block_id="start"),
        {"type": "input", "block_id": SEARCH_BLOCK, "dispatch_action": True,
         "label": blocks.plain_text("Search the policies", 2000),
         "element": {"type": "plain_text_input", "action_id": SEARCH_ACTION,
                     "placeholder": blocks.plain_text("Can I accept a bottle of wine?", 150)}},
    ]
    for reply in answers or []:
        view_blocks.extend(blocks.reply_blocks(reply))
    view_blocks.append(blocks.header("My declarations"))
    for reply in services.my_declarations(speaker):
        rows = reply.data.get("rows")
        if not rows:
            view_blocks.append(blocks.section(reply.text))
        for row in rows or []:
            line = (f"*{escape_mrkdwn(row['reference'])}* "
                    f"{escape_mrkdwn(row['title'])}: "
                    f"{escape_mrkdwn(row.get('description') or '')}\n"
                    f"Status: {escape_mrkdwn(row['status'])}")
            if row.get("decision"):
                line += (f". Decision: {escape_mrkdwn(row['decision'])}, "
                         f"{escape_mrkdwn(row.get('rationale') or '')}")
            view_blocks.append(blocks.section(line, escape=False))
    client.views_publish(user_id=user_id, view={"type": "home",
                                                "blocks": view_blocks[:_HOME_BLOCKS]})
