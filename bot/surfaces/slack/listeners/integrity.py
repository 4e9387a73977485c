"""Listeners: the integrity unit's actions, each authorised on the server before anything runs.

A button in the private channel is only a request: Slack payloads can be forged, so every
action and every submission asks the core whether this user is a handler, and the core
audits a refusal.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.messages import say
from bot.reporting import ReportingError
from bot.reporting.handling import STATUSES
from bot.surfaces.slack import declaration_views, report_views
from bot.surfaces.slack.escaping import escape_mrkdwn
from bot.surfaces.slack.listeners.shared import (
    Answer,
    Shown,
    answer_in_time,
    casework_step,
    open_for,
    open_for_person,
    run_all,
)
from bot.surfaces.slack.modals import metadata_of, plain_values
from bot.surfaces.slack.notices import READ_REPORT
from bot.surfaces.slack.notifier import acting_on_card
from bot.surfaces.slack.services import SlackServices
from bot.turns import Speaker

log = logging.getLogger(__name__)

def refused() -> str:
    return say("slack.handlers_only")


def register(app: App, services: SlackServices) -> None:
    app.action(READ_REPORT)(_open_case(services))
    app.view(report_views.CASE_CALLBACK)(_save_case(services))
    register_declaration_actions(app, services)


def _open_case(services: SlackServices) -> Callable[..., None]:
    def open_case(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                  client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]

        def modal(speaker: Speaker) -> Shown:
            handler = services.reports.authorise(speaker, "slack: read report")
            if handler is None:
                return refused()
            try:
                view = services.reports.read(handler, str(action.get("value", "")))
            except ReportingError as problem:
                return str(problem)
            return report_views.case_view(view, STATUSES)

        open_for(client, body, lambda: services.known_speaker(client, user_id),
                 lambda: services.people.speaker(client, user_id), modal)

    return open_case


def _save_case(services: SlackServices) -> Callable[..., None]:
    def save(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        values = plain_values(view["state"]["values"])

        def work() -> Answer:
            speaker = services.people.speaker(client, body["user"]["id"])
            handler = services.reports.authorise(speaker, "slack: answer report")
            if handler is None:
                return {"response_action": "errors",
                        "errors": {report_views.CASE_MESSAGE: refused()}}
            try:
                updated = services.reports.respond(
                    handler, str(metadata_of(view).get("ref", "")),
                    message=values.get(report_views.CASE_MESSAGE),
                    question=values.get(report_views.CASE_KIND) == "question",
                    status=values.get(report_views.CASE_STATUS),
                    outcome=values.get(report_views.CASE_OUTCOME))
            except ReportingError as problem:
                block = (report_views.CASE_STATUS if values.get(report_views.CASE_STATUS)
                         else report_views.CASE_MESSAGE)
                return {"response_action": "errors", "errors": {block: str(problem)}}
            return {"response_action": "update",
                    "view": report_views.case_view(updated, STATUSES, note="Saved.")}

        answer_in_time(ack, client, view, work)

    return save


def _where(body: dict[str, Any]) -> dict[str, Any]:
    """Where the card is, so the decision can update it."""
    container = body.get("container") or {}
    return {"channel": container.get("channel_id"), "ts": container.get("message_ts")}


def _officer(services: SlackServices, client: WebClient, body: dict[str, Any], step: str,
             reference: str | None) -> int | None:
    """The acting user's Person id if they are an integrity officer; otherwise audit and None."""
    return _checked_officer(services, services.acting_person_id(client, body["user"]["id"]),
                            step, reference)


def _checked_officer(services: SlackServices, person_id: int, step: str,
                     reference: str | None) -> int | None:
    if services.is_integrity_officer(person_id):
        return person_id
    services.refuse(person_id, step, reference)
    log.warning("refused %s on %s to a user who is not an integrity officer", step, reference)
    return None


def _officer_modal(services: SlackServices, client: WebClient, body: dict[str, Any],
                   step: str, reference: str, build: Callable[[], Shown]) -> None:
    """`build()`'s modal for an integrity officer, opened before any Web API call."""

    def modal(person_id: int) -> Shown:
        if _checked_officer(services, person_id, step, reference) is None:
            return refused()
        return build()

    open_for_person(services, client, body, modal)


def register_declaration_actions(app: App, services: SlackServices) -> None:
    @app.action(re.compile(rf"^{declaration_views.DECIDE_ACTION}:"))
    def decide_pressed(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                       client: WebClient) -> None:
        ack()
        chosen = json.loads(action.get("value") or "{}")
        reference, outcome = str(chosen.get("ref", "")), str(chosen.get("outcome", ""))

        def modal() -> Shown:
            card = services.declaration_card(reference)
            match = next((o for o in services.outcomes(card["kind"]) if o[0] == outcome), None)
            if match is None:
                return None
            return declaration_views.rationale_modal(reference, outcome, match[1], match[2],
                                                     _where(body))

        _officer_modal(services, client, body, "decide declarations", reference, modal)

    @app.action(declaration_views.ASK_ACTION)
    def ask_pressed(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                    client: WebClient) -> None:
        ack()
        reference = str(action.get("value", ""))
        _officer_modal(services, client, body, "request information", reference,
                       lambda: declaration_views.question_modal(reference, _where(body)))

    @app.view(declaration_views.DECIDE_CALLBACK)
    def decision_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                           client: WebClient) -> None:
        meta = metadata_of(view)
        reference = str(meta.get("ref", ""))
        values = plain_values(view["state"]["values"])
        user_id = body["user"]["id"]

        def work() -> Answer:
            person_id = _officer(services, client, body, "decide declarations", reference)
            if person_id is None:
                return {"response_action": "errors",
                        "errors": {declaration_views.RATIONALE_BLOCK: refused()}}
            decision, answer = casework_step(declaration_views.RATIONALE_BLOCK, lambda: (
                services.casework.decide(
                    reference, str(meta.get("outcome", "")),
                    values.get(declaration_views.RATIONALE_BLOCK, ""), by=person_id,
                    conditions=values.get(declaration_views.CONDITIONS_BLOCK))), refused())
            if decision is not None:
                name = services.people.display_name(client, user_id)
                label = f"{decision.outcome.replace('_', ' ').capitalize()} by {name}:"
                marks.append(lambda: _mark_card(client, meta, label, decision.rationale,
                                                reference))
            return answer

        marks: list[Callable[[], object]] = []
        answer_in_time(ack, client, view, work, after=lambda: run_all(marks))

    @app.view(declaration_views.ASK_CALLBACK)
    def question_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                           client: WebClient) -> None:
        meta = metadata_of(view)
        reference = str(meta.get("ref", ""))
        question = plain_values(view["state"]["values"]).get(declaration_views.QUESTION_BLOCK,
                                                            "")
        user_id = body["user"]["id"]

        def work() -> Answer:
            person_id = _officer(services, client, body, "request information", reference)
            if person_id is None:
                return {"response_action": "errors",
                        "errors": {declaration_views.QUESTION_BLOCK: refused()}}

            def ask() -> object:
                # The declarant's DM names this card, so their answer is noted under it.
                with acting_on_card(meta.get("ts")):
                    return services.casework.request_information(reference, question,
                                                                 by=person_id)

            asked, answer = casework_step(declaration_views.QUESTION_BLOCK, ask, refused())
            if asked is not None:
                name = services.people.display_name(client, user_id)
                marks.append(lambda: _mark_card(
                    client, meta, say("slack.information_requested_by", name=name), question,
                    reference, keep_buttons=True))
            return answer

        marks: list[Callable[[], object]] = []
        answer_in_time(ack, client, view, work, after=lambda: run_all(marks))


def _mark_card(client: WebClient, meta: dict[str, Any], label: str, typed: str,
               reference: str, keep_buttons: bool = False) -> None:
    """Note what was done on a card: in its thread, or in place of its buttons."""
    channel, ts = meta.get("channel"), meta.get("ts")
    if not (channel and ts):
        return
    # Only a note is added; the card's own text came from the store, not the payload.
    text = escape_mrkdwn(f"{reference}: {label} {typed}")
    note = declaration_views.card_note(reference, label, typed)
    if keep_buttons:
        client.chat_postMessage(channel=channel, thread_ts=ts, text=text, blocks=note)
        return
    client.chat_update(channel=channel, ts=ts, text=text, blocks=note)
