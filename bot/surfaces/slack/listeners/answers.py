"""Listeners: a declarant answers the integrity unit's request for information from their DM.

The Answer button carries only the reference and where the unit's card is. Who may answer
is decided on the server: the press is checked before the form opens, and the casework
service checks again on submission and audits a refusal, so a forged submission from
anyone but the declarant or an integrity officer changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.casework.service import Step
from bot.messages import say
from bot.surfaces.slack import declaration_views, outbox
from bot.surfaces.slack.escaping import escape_mrkdwn
from bot.surfaces.slack.listeners.shared import (
    Answer,
    Shown,
    answer_in_time,
    casework_step,
    open_for_person,
    run_all,
)
from bot.surfaces.slack.modals import metadata_of, plain_values
from bot.surfaces.slack.services import SlackServices

log = logging.getLogger(__name__)

STEP = Step.PROVIDE_INFORMATION


def register(app: App, services: SlackServices) -> None:
    @app.action(declaration_views.ANSWER_ACTION)
    def answer_pressed(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                       client: WebClient) -> None:
        ack()
        try:
            pressed = json.loads(action.get("value") or "{}")
        except ValueError:
            return
        reference = str(pressed.get("ref", ""))
        container = body.get("container") or {}
        where = {"channel": container.get("channel_id"), "ts": container.get("message_ts"),
                 "card_ts": pressed.get("card_ts")}

        def modal(person_id: int) -> Shown:
            if not services.may_answer(person_id, reference):
                services.refuse(person_id, STEP, reference)
                log.warning("refused an answer on %s to someone not its declarant", reference)
                return say("slack.not_yours_to_answer")
            return declaration_views.answer_modal(reference, services.open_question(reference),
                                                  where)

        open_for_person(services, client, body, modal)

    @app.view(declaration_views.ANSWER_CALLBACK)
    def answer_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                         client: WebClient) -> None:
        meta = metadata_of(view)
        reference = str(meta.get("ref", ""))
        answer = plain_values(view["state"]["values"]).get(declaration_views.ANSWER_BLOCK, "")
        user = body["user"]["id"]

        def work() -> Answer:
            person_id = services.acting_person_id(client, user)
            # The modal's metadata is only as trustworthy as the payload: the core checks
            # that this person is the declarant or an officer, and audits a refusal.
            answered, shown = casework_step(declaration_views.ANSWER_BLOCK, lambda: (
                services.casework.provide_information(reference, answer, by=person_id)),
                say("slack.not_yours_to_answer"))
            if answered is None:
                return shown
            if meta.get("channel") and meta.get("ts"):
                later.append(lambda: client.chat_update(
                    channel=meta["channel"], ts=meta["ts"],
                    text=escape_mrkdwn(say("slack.answered", reference=reference)),
                    blocks=declaration_views.card_note(
                        reference, say("slack.you_answered"), answer)))
            channel = services.settings.integrity_channel
            if channel:
                name = services.people.display_name(client, user)
                line = say("slack.answered_line", reference=reference, name=name,
                           answer=answer)
                # Under the card when the question came from it; else a message of its own.
                outbox.post_now(services.store, channel, escape_mrkdwn(line),
                                declaration_views.card_note(reference,
                                                            say("slack.answered_by", name=name),
                                                            answer),
                                thread_ts=meta.get("card_ts") or None)
            return shown

        later: list[Callable[[], object]] = []
        answer_in_time(ack, client, view, work, after=lambda: run_all(later))
