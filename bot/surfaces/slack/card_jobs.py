"""Delivering a filed declaration to Slack: the integrity unit's card and the line
manager's request, two outbox jobs built from the store when they run.

Each runs and retries on its own (bot.jobs): `not_in_channel` (the bot not yet invited to
the integrity channel, the commonest first-day mistake) keeps the card's job retrying,
visible in `probity jobs`, until someone invites the bot; the declaration was filed
whatever happens here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.casework.endorsement import endorser_to_ask
from bot.casework.errors import UnknownDeclaration
from bot.casework.outcomes import OUTCOMES_BY_KIND, describe
from bot.casework.queries import get_declaration
from bot.config import Settings
from bot.jobs.queue import GiveUp, JobView, RetryLater
from bot.jobs.registry import Registry
from bot.messages import say
from bot.store import Store
from bot.surfaces.slack import declaration_views
from bot.surfaces.slack.escaping import escape_mrkdwn
from bot.surfaces.slack.outbox import CARD, ENDORSEMENT_REQUEST, announce_declaration, call_slack
from bot.surfaces.slack.turns import SURFACE
from bot.turns import Reply

log = logging.getLogger(__name__)

#: Slack errors that an admin's action cures (inviting the bot, unarchiving the channel):
#: retried with the runner's backoff rather than failed, so the card arrives once it can.
CURABLE = frozenset({"not_in_channel", "channel_not_found", "is_archived"})

Definitions = Callable[[], Mapping[str, Any]]


def declaration_card(session: Session, definitions: Mapping[str, Any], reference: str
                     ) -> dict[str, Any]:
    """Plain values for the integrity channel's card on one declaration."""
    declaration = get_declaration(session, reference)
    definition = definitions.get(declaration.workflow)
    labels = getattr(definition, "approvers", {}) or {}
    manager = declaration.line_manager
    return {
        "reference": declaration.reference, "kind": declaration.kind,
        "kind_label": getattr(definition, "title", None) or describe(declaration.kind),
        "declarant": declaration.person.display_name,
        "summary": declaration.summary,
        "approvers": [labels.get(a, describe(a)) for a in declaration.approvers],
        "decision_due": f"{declaration.decision_due:%-d %B %Y}"
        if declaration.decision_due else None,
        "line_manager": (manager.surface, manager.surface_id) if manager else None,
        "needs_line_manager": "line_manager" in declaration.approvers,
        # The core decides whom to ask for an endorsement (casework.endorsement).
        "ask_endorsement_of": endorser.surface_id if (
            endorser := endorser_to_ask(declaration, SURFACE)) else None,
    }


def outcomes(kind: str) -> list[tuple[str, str, bool]]:
    """(value, label, needs conditions) for each outcome a kind of declaration may get."""
    return [(outcome.value, describe(outcome.value).capitalize(), effect.needs_conditions)
            for outcome, effect in OUTCOMES_BY_KIND.get(kind, {}).items()]


def announce_filed(session: Session, definition: Any, reply: Reply) -> None:
    """TurnStore's on-filed hook: a new declaration's Slack jobs, in its filing transaction."""
    reference = reply.data.get("reference")
    if getattr(definition, "files", None) == "declaration" and reference:
        announce_declaration(session, str(reference))


class DeclarationCards:
    """The CARD and ENDORSEMENT_REQUEST job handlers."""

    def __init__(self, store: Store, client: WebClient, channel: str | None,
                 definitions: Definitions) -> None:
        self.store = store
        self.client = client
        self.channel = channel
        self.definitions = definitions

    def _card(self, job: JobView) -> dict[str, Any]:
        reference = str(job.payload.get("reference") or "")
        try:
            with self.store.session() as session:
                return declaration_card(session, self.definitions(), reference)
        except UnknownDeclaration:
            raise GiveUp(say("slack.card_unknown", reference=reference)) from None

    def post_card(self, job: JobView) -> None:
        if not self.channel:
            return  # no integrity channel configured: the unit works from the CLI
        card = self._card(job)
        kinds = [(value, label) for value, label, _ in outcomes(card["kind"])]
        self._send(self.channel, escape_mrkdwn(say("slack.card_text",
                                                   reference=card["reference"],
                                                   declarant=card["declarant"])),
                   declaration_views.declaration_card(card, kinds))

    def ask_endorsement(self, job: JobView) -> None:
        card = self._card(job)
        if not card["ask_endorsement_of"]:
            return
        text, request = declaration_views.endorsement_request(card)
        self._send(card["ask_endorsement_of"], escape_mrkdwn(text), request)

    def _send(self, channel: str, text: str, blocks: list[dict[str, Any]]) -> None:
        try:
            call_slack(self.client, {"channel": channel, "text": text, "blocks": blocks})
        except GiveUp as refused:
            if refused.code in CURABLE:
                raise RetryLater(say("slack.card_channel_problem", code=refused.code,
                                     channel=channel)) from None
            raise


def lazy_definitions(settings: Settings) -> Definitions:
    """The workflow definitions, loaded on first use (a worker may never post a card)."""
    loaded: list[Mapping[str, Any]] = []

    def definitions() -> Mapping[str, Any]:
        if not loaded:
            from bot.workflows.catalogue import WorkflowCatalogue

            loaded.append(WorkflowCatalogue.load(settings.workflows_dir,
                                                 policies_dir=settings.policies_dir))
        return loaded[0]

    return definitions


def register_declaration_cards(registry: Registry, store: Store, client: WebClient,
                               channel: str | None, definitions: Definitions) -> None:
    cards = DeclarationCards(store, client, channel, definitions)
    registry.deliver(CARD, cards.post_card)
    registry.deliver(ENDORSEMENT_REQUEST, cards.ask_endorsement)
