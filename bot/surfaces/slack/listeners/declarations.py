"""Listeners: declarations as modals, built from the same definitions as the DM conversation."""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.messages import say
from bot.surfaces.slack import blocks, outbox
from bot.surfaces.slack.escaping import escape_mrkdwn
from bot.surfaces.slack.listeners.shared import Answer, answer_in_time
from bot.surfaces.slack.modals import (
    errors_for,
    fields_modal,
    metadata_of,
    select_input,
    submitted_values,
)
from bot.surfaces.slack.services import SlackServices
from bot.workflows.intents import match_declare_command

log = logging.getLogger(__name__)

DECLARE_CALLBACK = "probity_declare"
CHOOSE_CALLBACK = "probity_declare_choose"
OPEN_DECLARATION = "probity_open_declaration"
KIND_BLOCK = "kind"


def register(app: App, services: SlackServices) -> None:
    @app.action(re.compile(rf"^{OPEN_DECLARATION}(:[\w-]+)?$"))
    def open_from_button(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                         client: WebClient) -> None:
        ack()
        definition = services.definitions.get(str(action.get("value")))
        if definition is not None:
            client.views_open(trigger_id=body["trigger_id"], view=declaration_form(definition))

    @app.view(CHOOSE_CALLBACK)
    def kind_chosen(ack: Ack, view: dict[str, Any]) -> None:
        name = submitted_values_plain(view).get(KIND_BLOCK)
        definition = services.definitions.get(name or "")
        if definition is None:
            ack(response_action="errors", errors={KIND_BLOCK: say("slack.choose_what_to_declare")})
            return
        ack(response_action="update", view=declaration_form(definition))

    @app.view(DECLARE_CALLBACK)
    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                  client: WebClient) -> None:
        meta = metadata_of(view)
        definition = services.definitions.get(str(meta.get("workflow")))
        if definition is None:
            ack(response_action="errors", errors={})
            return
        user_id = body["user"]["id"]

        def work() -> Answer:
            # users.info (the person's name) and the filing: slow on a first visit, so run
            # where answer_in_time can ack before Slack's three seconds are up.
            answers = _as_typed_text(services, client, definition,
                                     submitted_values(view["state"]["values"]))
            speaker = services.people.speaker(client, user_id)
            result = services.assistant.file_form(speaker, definition, answers,
                                                  str(meta.get("key")))
            if result.problems:
                fields = {spec.name for spec in definition.fields}
                shown = {name: text for name, text in result.problems.items() if name in fields}
                if not shown:  # a problem not tied to one field goes under the first
                    shown = {definition.fields[0].name: next(iter(result.problems.values()))}
                return {"response_action": "errors", "errors": errors_for(shown)}
            text = (say("slack.already_filed_declaration", reference=result.reference)
                    if result.already_filed
                    else "\n\n".join(r.text for r in result.replies))
            if result.reference and not result.already_filed:
                # The person keeps a copy in their DM (the unit's card was enqueued with
                # the filing).
                outbox.direct_message_now(
                    services.store, user_id, escape_mrkdwn(text),
                    blocks.sections(text)[:blocks.BLOCKS_PER_MESSAGE],
                    key=f"copy:{result.reference}")
            done = blocks.sections(text) + [
                block for reply in result.replies if reply.kind == "filed"
                for block in blocks.reply_blocks(reply)[1:]]
            return {"response_action": "update", "view": blocks.modal(
                definition.title, done, callback_id="probity_declared", submit=None,
                close="Done")}

        answer_in_time(ack, client, view, work)


def submitted_values_plain(view: dict[str, Any]) -> dict[str, str]:
    from bot.surfaces.slack.modals import plain_values

    return plain_values(view["state"]["values"])


def declaration_form(definition: Any) -> dict[str, Any]:
    intro = [t.text for t in definition.intro if t.when is None][:1]
    return fields_modal(definition.title, definition.fields, callback_id=DECLARE_CALLBACK,
                        metadata={"workflow": definition.name,
                                  "key": secrets.token_urlsafe(18)}, intro=intro)


def open_declaration_modal(services: SlackServices, client: WebClient, trigger_id: str,
                           what: str) -> bool:
    """Open the form for "gift", "interest", "association" ...; False if none matches."""
    _, definition = match_declare_command(f"declare {what}".strip(),
                                          services.definitions.values())
    if definition is None:
        if what.strip():
            return False
        open_choice_modal(services, client, trigger_id)
        return True
    client.views_open(trigger_id=trigger_id, view=declaration_form(definition))
    return True


def open_choice_modal(services: SlackServices, client: WebClient, trigger_id: str) -> None:
    kinds = [(d.name, d.title) for d in services.definitions.values()
             if d.files == "declaration"]
    client.views_open(trigger_id=trigger_id, view=blocks.modal(
        say("slack.make_a_declaration"), [select_input(KIND_BLOCK, say("slack.what_to_declare"),
                                            kinds)],
        callback_id=CHOOSE_CALLBACK, submit="Next"))


def _as_typed_text(services: SlackServices, client: WebClient, definition: Any,
                   answers: dict[str, Any]) -> dict[str, str]:
    """Slack's picker values as the text the core's parsers read: a picked user becomes
    their name (and is made known to Probity), a date stays ISO."""
    typed = {}
    for name, value in answers.items():
        spec = next((s for s in definition.fields if s.name == name), None)
        if spec is not None and spec.type == "person":
            person = services.people.speaker(client, str(value))
            services.person_id(person)
            value = person.display_name
        typed[name] = str(value)
    return typed
