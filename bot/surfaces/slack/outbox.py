"""The Slack outbox: `slack.post` (to a channel) and `slack.dm` (to a person) job kinds.

Anything Probity says in Slack can go through these, enqueued in the transaction of the
change it reports, so a message is sent once the change commits and never for one that
rolled back. A payload carries the text and either Block Kit `blocks` or simple `buttons`
(a domain action and a reference, turned into this surface's buttons here); a `slack.dm`
may instead name a `notice_id`, worded when it is sent and marked delivered after.

Retries are the job runner's, not slack_sdk's: a rate limit waits Slack's Retry-After, a
passing fault the runner's backoff; an error retrying cannot cure fails the job at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.jobs.notices import action_label, mark_delivered, text_of
from bot.jobs.queue import GiveUp, JobView, RetryLater, enqueue
from bot.jobs.registry import Registry, RegistryPlugin
from bot.messages import say
from bot.store import Store
from bot.store.models import Notice, Person, utcnow
from bot.surfaces.slack.blocks import actions, button, sections
from bot.surfaces.slack.declaration_views import ANSWER_ACTION
from bot.surfaces.slack.listeners.campaigns import campaign_action_id
from bot.surfaces.slack.notices import READ_REPORT

log = logging.getLogger(__name__)

SLACK = "slack"
POST = "slack.post"
DM = "slack.dm"
#: Slack errors that may clear by themselves; any other error fails the job at once.
PASSING_ERRORS = frozenset({"ratelimited", "internal_error", "fatal_error",
                            "service_unavailable", "request_timeout", "team_added_to_org"})
DEFAULT_RETRY_AFTER = 30


def slack_client(token: str, api_url: str | None = None) -> WebClient:
    """A WebClient that does not retry on its own: the job runner owns retries."""
    return WebClient(token=token, base_url=api_url or WebClient.BASE_URL, timeout=15,
                     retry_handlers=[])


def slack_jobs_plugin(store: Store, client: WebClient | None,
                      settings: Settings | None = None) -> RegistryPlugin:
    """The Slack surface's part of a job registry: notices for Slack users become `slack.dm`
    jobs, and, given a client, the outbox handlers that send them, with the declarations'
    cards and line-manager requests (bot.surfaces.slack.card_jobs)."""

    def plug(registry: Registry) -> None:
        register_slack_notices(registry)
        if client is not None:
            register_slack_outbox(registry, store, client)
            from bot.surfaces.slack.card_jobs import lazy_definitions, register_declaration_cards

            register_declaration_cards(
                registry, store, client, settings.integrity_channel if settings else None,
                lazy_definitions(settings) if settings else dict)

    return plug


def register_slack_outbox(registry: Registry, store: Store, client: WebClient) -> None:
    """Give `registry` the slack.post and slack.dm handlers, sending through `client`."""
    outbox = SlackOutbox(store, client)
    registry.deliver(POST, outbox.post)
    registry.deliver(DM, outbox.dm)


def register_slack_notices(registry: Registry) -> None:
    """Send each new notice for a Slack user as a `slack.dm` job. Registered whether or not
    this process can reach Slack: the jobs wait, visibly, for a worker that can."""
    registry.deliver_notices(SLACK, enqueue_notice_dm)


def enqueue_notice_dm(session: Session, notice: Notice, person: Person) -> None:
    enqueue(session, DM, {"user": person.surface_id, "notice_id": notice.id},
            idempotency_key=f"notice:{notice.id}")


class SlackOutbox:
    """Sends outbox jobs through one WebClient."""

    def __init__(self, store: Store, client: WebClient) -> None:
        self.store = store
        self.client = client

    def post(self, job: JobView) -> None:
        payload = job.payload
        arguments: dict[str, Any] = {"channel": _required(payload, "channel"),
                                     "text": _required(payload, "text"),
                                     "blocks": _blocks(payload)}
        if payload.get("thread_ts"):
            arguments["thread_ts"] = payload["thread_ts"]
        call_slack(self.client, arguments)

    def dm(self, job: JobView) -> None:
        payload = job.payload
        user = _required(payload, "user")
        notice_id = payload.get("notice_id")
        if notice_id is None:
            # Posting to a user id opens (or reuses) the bot's DM with them.
            call_slack(self.client, {"channel": user, "text": _required(payload, "text"),
                                "blocks": _blocks(payload)})
            return
        with self.store.session() as session:
            notice = session.get(Notice, int(notice_id))
            if notice is None or notice.delivered or notice.withdrawn_on is not None:
                return  # dropped, shown elsewhere, or its thing was done meanwhile
            text = text_of(notice)
            buttons = [{"label": action_label(action), **action} for action in notice.actions]
        call_slack(self.client, {"channel": user, "text": text,
                            "blocks": _blocks({"text": text, "buttons": buttons})})
        with self.store.transaction() as session:
            mark_delivered(session, [int(notice_id)], utcnow().date())


def call_slack(client: WebClient, arguments: dict[str, Any]) -> None:
    """chat.postMessage, its failures turned into the job runner's retry or give-up."""
    try:
        client.chat_postMessage(**arguments)
    except SlackApiError as error:
        response = error.response
        code = str(response.get("error") or "unknown_error")
        if response.status_code == 429 or code == "ratelimited":
            raise RetryLater(say("jobs.slack_rate_limited"),
                             after=_retry_after(response.headers)) from None
        if code in PASSING_ERRORS or response.status_code >= 500:
            raise RetryLater(say("jobs.slack_passing", code=code)) from None
        raise GiveUp(say("jobs.slack_refused", code=code), code=code) from None
    except (SlackRequestError, OSError) as error:
        # Connection refused, timed out, DNS: Slack may be back in a moment.
        raise RetryLater(say("jobs.slack_unreachable", error=type(error).__name__)) from None


def _retry_after(headers: Mapping[str, Any]) -> float:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return float(value[0] if isinstance(value, list) else value)
            except (TypeError, ValueError):
                break
    return DEFAULT_RETRY_AFTER


def _required(payload: Mapping[str, Any], name: str) -> str:
    value = payload.get(name)
    if not value:
        raise GiveUp(say("jobs.payload_missing", field=name))
    return str(value)


def _blocks(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The payload's Block Kit blocks, or its text and buttons made into blocks."""
    if payload.get("blocks"):
        return list(payload["blocks"])
    shown = sections(str(payload.get("text") or ""))
    buttons = [found for spec in payload.get("buttons") or () if (found := _button(spec))]
    return shown + actions(buttons) if buttons else shown


def _button(spec: Mapping[str, Any]) -> dict[str, Any] | None:
    """A domain action as this surface's button; the listeners behind them check who may."""
    reference = str(spec.get("reference") or "")
    label = str(spec.get("label") or "")
    if spec.get("action") == "read_report":
        return button(label, READ_REPORT, reference, spec.get("style") or "primary")
    if spec.get("action") == "answer_request":
        return button(label, ANSWER_ACTION, json.dumps({"ref": reference, "card_ts": None}),
                      "primary")
    if spec.get("action") == "campaign":
        # The value is the campaign's own action ("campaign_ack:3"), taken as a turn; the
        # action's name in the id keeps two buttons of one message apart (Slack refuses
        # repeated action_ids in a block).
        return button(label, campaign_action_id(reference), reference, spec.get("style"))
    log.warning("a Slack message asked for an unknown button %r", spec.get("action"))
    return None


# What the Slack surface enqueues -------------------------------------------------------

#: Job kinds whose payload names a declaration: the card is built when it is sent, so it
#: shows the declaration as it is then, and a retry never posts stale text.
CARD = "slack.declaration_card"
ENDORSEMENT_REQUEST = "slack.endorsement_request"


def enqueue_post(session: Session, channel: str, text: str, blocks: list[dict[str, Any]], *,
                 thread_ts: str | None = None, key: str | None = None) -> int:
    payload: dict[str, Any] = {"channel": channel, "text": text, "blocks": blocks}
    if thread_ts:
        payload["thread_ts"] = thread_ts
    return enqueue(session, POST, payload, idempotency_key=key)


def direct_message(session: Session, user: str, text: str, blocks: list[dict[str, Any]], *,
                   key: str | None = None) -> int:
    return enqueue(session, DM, {"user": user, "text": text, "blocks": blocks},
                   idempotency_key=key)


def announce_declaration(session: Session, reference: str) -> None:
    """The integrity unit's card and, when its route needs one, the line manager's request:
    two jobs, so one failing (the bot not in the channel) never holds up the other."""
    enqueue(session, CARD, {"reference": reference}, idempotency_key=f"card:{reference}")
    enqueue(session, ENDORSEMENT_REQUEST, {"reference": reference},
            idempotency_key=f"endorse:{reference}")


def post_now(store: Store, channel: str, text: str, blocks: list[dict[str, Any]], *,
             thread_ts: str | None = None, key: str | None = None) -> int:
    """`enqueue_post` in a transaction of its own, for a change another service committed."""
    with store.transaction() as session:
        return enqueue_post(session, channel, text, blocks, thread_ts=thread_ts, key=key)


def direct_message_now(store: Store, user: str, text: str, blocks: list[dict[str, Any]], *,
                       key: str | None = None) -> int:
    with store.transaction() as session:
        return direct_message(session, user, text, blocks, key=key)
