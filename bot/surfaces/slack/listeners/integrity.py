"""Listeners: the integrity unit's actions, each authorised on the server before anything runs.

A button in the private channel is only a request: Slack payloads can be forged, so every
action and every submission asks the core whether this user is a handler, and the core
audits a refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.reporting import ReportingError
from bot.reporting.handling import STATUSES
from bot.surfaces.slack import report_views
from bot.surfaces.slack.modals import metadata_of, plain_values
from bot.surfaces.slack.notices import READ_REPORT
from bot.surfaces.slack.services import SlackServices

log = logging.getLogger(__name__)

REFUSED = "Only the integrity unit's named handlers can do that. This attempt was recorded."


def register(app: App, services: SlackServices) -> None:
    app.action(READ_REPORT)(_open_case(services))
    app.view(report_views.CASE_CALLBACK)(_save_case(services))


def refuse_ephemerally(client: WebClient, body: dict[str, Any]) -> None:
    channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get(
        "channel_id")
    user = body["user"]["id"]
    if channel:
        client.chat_postEphemeral(channel=channel, user=user, text=REFUSED)
    else:
        client.chat_postMessage(channel=user, text=REFUSED)


def _open_case(services: SlackServices) -> Callable[..., None]:
    def open_case(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                  client: WebClient) -> None:
        ack()
        speaker = services.people.speaker(client, body["user"]["id"])
        handler = services.reports.authorise(speaker, "slack: read report")
        if handler is None:
            refuse_ephemerally(client, body)
            return
        try:
            view = services.reports.read(handler, str(action.get("value", "")))
        except ReportingError as problem:
            client.chat_postEphemeral(channel=body["channel"]["id"], user=speaker.surface_id,
                                      text=str(problem))
            return
        client.views_open(trigger_id=body["trigger_id"],
                          view=report_views.case_view(view, STATUSES))

    return open_case


def _save_case(services: SlackServices) -> Callable[..., None]:
    def save(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        speaker = services.people.speaker(client, body["user"]["id"])
        handler = services.reports.authorise(speaker, "slack: answer report")
        if handler is None:
            ack(response_action="errors", errors={report_views.CASE_MESSAGE: REFUSED})
            return
        values = plain_values(view["state"]["values"])
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
            ack(response_action="errors", errors={block: str(problem)})
            return
        ack(response_action="update",
            view=report_views.case_view(updated, STATUSES, note="Saved."))

    return save
