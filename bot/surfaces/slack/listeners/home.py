"""Listeners: App Home: start any workflow, see my declarations, search the policies."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.messages import say
from bot.surfaces.slack import blocks
from bot.surfaces.slack.listeners.declarations import OPEN_DECLARATION
from bot.surfaces.slack.listeners.reports import OPEN_FOLLOWUP, OPEN_REPORT
from bot.surfaces.slack.listeners.shared import once_in_background
from bot.surfaces.slack.services import SlackServices
from bot.turns import Reply

SEARCH_ACTION = "probity_home_search"
SEARCH_BLOCK = "search"
#: Slack's limit for a Home tab.
HOME_BLOCKS = 100
#: Declarations a search answer always leaves room for.
_MIN_ROWS = 10


def register(app: App, services: SlackServices) -> None:
    @app.event("app_home_opened")
    def home_opened(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        once_in_background(services, body, client,
                           lambda: publish_home(services, client, event["user"]))

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
    # One action_id per button: Slack refuses a block whose elements share one, and the
    # Home tab then renders for nobody.
    start = [blocks.button(d.title, f"{OPEN_DECLARATION}:{d.name}", d.name)
             for d in services.definitions.values() if d.files == "declaration"]
    start += [blocks.button(say("slack.reporting_unavailable_title"), OPEN_REPORT, "report",
                            "danger"),
              blocks.button(say("slack.followup_title"), OPEN_FOLLOWUP, "followup")]
    view_blocks: list[dict[str, Any]] = [
        blocks.header(say("slack.home_header")),
        blocks.section(say("slack.home_intro")),
        *blocks.actions(start, block_id="start"),
        {"type": "input", "block_id": SEARCH_BLOCK, "dispatch_action": True,
         "label": blocks.plain_text(say("slack.home_search"), 2000),
         "element": {"type": "plain_text_input", "action_id": SEARCH_ACTION,
                     "placeholder": blocks.plain_text(say("slack.home_search_example"),
                                                         150)}},
    ]
    found = [block for reply in answers or [] for block in blocks.reply_blocks(reply)]
    mine = services.my_declarations(speaker)
    rows = [row for reply in mine for row in (reply.data.get("rows") or [])]
    # The start buttons and search box come first; a search the person just made next, so
    # it leaves room for at least a few declarations; then as many declarations as fit.
    room_for_answers = max(HOME_BLOCKS - len(view_blocks) - 1 - _MIN_ROWS - 1, 0)
    if len(found) > room_for_answers:
        found = blocks.within_modal_limit(found, room_for_answers)
    view_blocks += found
    view_blocks.append(blocks.header("My declarations"))
    if not rows:  # the core's own words for an empty list
        view_blocks += [blocks.section(reply.text) for reply in mine[:1]]
    room = HOME_BLOCKS - len(view_blocks)
    for index, row in enumerate(rows):
        shown = blocks.declaration_row(row)
        # The last row may use the final block; any other leaves one for the "more" line.
        spare = 0 if index == len(rows) - 1 else 1
        if len(shown) > room - spare:
            view_blocks.append(blocks.more_line(len(rows) - index, "more declarations"))
            break
        view_blocks += shown
        room -= len(shown)
    client.views_publish(user_id=user_id,
                         view={"type": "home", "blocks": blocks.checked(view_blocks)})
