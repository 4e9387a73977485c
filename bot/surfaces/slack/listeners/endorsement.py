"""Listeners: a line manager endorses (or does not endorse) a declaration from their DM.

The buttons carry only the reference. Who may press them is decided on the server each time
(the clicking user must be the line manager named on the declaration), so a forged click or
a forged modal submission is refused, and the core audits the refusal.
"""

from __future__ import annotations

import logging
import re
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

STEP = Step.ENDORSE


def register(app: App, services: SlackServices) -> None:
    @app.action(re.compile(rf"^{declaration_views.ENDORSE_ACTION}:(yes|no)$"))
    def endorse_pressed(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                        client: WebClient) -> None:
        ack()
        reference = str(action.get("value", ""))
        container = body.get("container") or {}
        where = {"channel": container.get("channel_id"), "ts": container.get("message_ts")}

        def modal(person_id: int) -> Shown:
            if not services.may_endorse(person_id, reference):
                services.refuse(person_id, STEP, reference)
                log.warning("refused an endorsement of %s to someone not its line manager",
                            reference)
                return say("slack.not_the_manager")
            return declaration_views.endorsement_modal(
                reference, action["action_id"].endswith(":yes"), where)

        open_for_person(services, client, body, modal)

    @app.view(declaration_views.ENDORSE_CALLBACK)
    def endorsement_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                              client: WebClient) -> None:
        meta = metadata_of(view)
        reference, endorsed = str(meta.get("ref", "")), meta.get("endorsed") is True
        rationale = plain_values(view["state"]["values"]).get(
            declaration_views.RATIONALE_BLOCK, "")
        user_id = body["user"]["id"]

        def work() -> Answer:
            person_id = services.acting_person_id(client, user_id)
            # The core checks again that this person is the named line manager and audits
            # a refusal: the modal's metadata is only as trustworthy as the payload.
            decision, answer = casework_step(declaration_views.RATIONALE_BLOCK, lambda: (
                services.casework.endorse(reference, endorsed, rationale, by=person_id)),
                say("slack.not_the_manager"))
            if decision is None:
                return answer
            said = "endorsed" if endorsed else "not_endorsed"
            name = services.people.display_name(client, user_id)
            if meta.get("channel") and meta.get("ts"):
                # The request's buttons are replaced once the modal has closed.
                later.append(lambda: client.chat_update(
                    channel=meta["channel"], ts=meta["ts"],
                    text=escape_mrkdwn(say(f"slack.{said}_short", reference=reference)),
                    blocks=declaration_views.card_note(reference, say(f"slack.{said}_by_you"),
                                                       decision.rationale)))
            channel = services.settings.integrity_channel
            if channel:
                line = say(f"slack.{said}_line", reference=reference, name=name,
                           rationale=decision.rationale)
                outbox.post_now(services.store, channel, escape_mrkdwn(line),
                                declaration_views.card_note(
                                    reference, say(f"slack.{said}_by", name=name),
                                    decision.rationale), key=f"endorsed:{reference}")
            return answer

        later: list[Callable[[], object]] = []
        answer_in_time(ack, client, view, work, after=lambda: run_all(later))
