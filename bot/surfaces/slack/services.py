"""The core as the Slack surface sees it: one object holding the store and Probity's services.

Listeners reach the core only through here, so the surface holds no business rules and
there is one place that adapts the core's APIs to what Slack needs. It runs no SQL of its
own: every query is a core function (bot.casework.queries, bot.directory ...).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from bot.casework.authorisation import can_answer, record_refusal
from bot.casework.endorsement import can_endorse
from bot.casework.errors import UnknownDeclaration
from bot.casework.queries import get_declaration, known_person_id, open_question
from bot.casework.service import Casework
from bot.config import Settings
from bot.directory import person_for_speaker
from bot.handlers import is_handler
from bot.reporting import ReportingContext
from bot.store import Store
from bot.store.models import Person
from bot.surfaces.slack.reporting_desk import ReportDesk
from bot.surfaces.slack.turns import SURFACE, People
from bot.turns import Reply, Speaker, Turn

if TYPE_CHECKING:
    from bot.app import App
    from bot.assistant import Assistant

log = logging.getLogger(__name__)


@dataclass
class SlackServices:
    settings: Settings
    store: Store
    knowledge: Any
    reports: ReportDesk
    casework: Casework
    assistant: Assistant
    people: People = field(default_factory=People)
    definitions: dict[str, Any] = field(default_factory=dict)
    #: Set when Slack says the app was uninstalled or its bot token revoked.
    slack_revoked: bool = False
    #: Where events' work runs after their 200 (listeners.shared.once_in_background).
    events: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(
        max_workers=32, thread_name_prefix="probity-slack-events"))

    @classmethod
    def open(cls, settings: Settings) -> SlackServices:
        """Open the store and load the policies and workflows once, before serving anyone."""
        from bot.app import build_app

        app = build_app(settings)
        return cls.from_app(app)

    @classmethod
    def from_app(cls, app: App) -> SlackServices:
        """The Slack surface's view of a core the composition root (bot.app) built."""
        return cls(
            settings=app.settings, store=app.store, knowledge=app.knowledge,
            reports=ReportDesk(app.store, ReportingContext.from_settings(
                app.settings, categories=app.catalogue.report_categories())),
            casework=app.casework, assistant=app.assistant,
            definitions=dict(app.catalogue),
        )

    def handle(self, turn: Turn) -> list[Reply]:
        """One turn through the assistant: the same core the terminal uses."""
        return list(self.assistant.handle(turn))

    def person_id(self, speaker: Speaker) -> int:
        """The store's Person for a Slack user, added the first time they act."""
        with self.store.transaction() as session:
            return person_for_speaker(session, speaker).id

    def known_person_id(self, user_id: str) -> int | None:
        """The Person id of a Slack user Probity has seen before, from the store alone."""
        with self.store.session() as session:
            return known_person_id(session, SURFACE, user_id)

    def known_speaker(self, client: Any, user_id: str) -> Speaker | None:
        """A Slack user as a Speaker without asking Slack: this process's users.info cache,
        else the name the store has for them; None for someone never seen."""
        if self.people.known(user_id) is not None:
            return self.people.speaker(client, user_id)  # cached: no Web API call
        with self.store.session() as session:
            person = session.scalars(select(Person).where(
                Person.surface == SURFACE, Person.surface_id == user_id)).first()
            return Speaker(SURFACE, user_id, person.display_name) if person else None

    def acting_person_id(self, client: Any, user_id: str) -> int:
        """The Person id of the Slack user acting, without a Web API call if Probity knows them.

        users.info is asked only for someone never seen before (it names their new Person),
        so a known handler's or declarant's form submission reaches its ack() sooner.
        """
        known = self.known_person_id(user_id)
        if known is not None:
            return known
        return self.person_id(self.people.speaker(client, user_id))

    def is_integrity_officer(self, person_id: int) -> bool:
        with self.store.session() as session:
            return self.casework.is_integrity_officer(session.get(Person, person_id))

    def refuse(self, person_id: int, step: str, reference: str | None) -> None:
        """Audit an attempt by someone who is not an integrity officer."""
        with self.store.transaction() as session:
            record_refusal(session, session.get(Person, person_id), step, reference)

    def may_endorse(self, person_id: int, reference: str) -> bool:
        """The core's endorsement rule (bot.casework.endorsement.can_endorse), asked before
        opening the form; the core checks again when the endorsement is submitted."""
        with self.store.session() as session:
            try:
                declaration = get_declaration(session, reference)
            except UnknownDeclaration:
                return False
            return can_endorse(session.get(Person, person_id), declaration)

    def may_answer(self, person_id: int, reference: str) -> bool:
        """The core's rule for answering a question (bot.casework.authorisation.can_answer),
        asked before opening the form; the core checks again when the answer is submitted."""
        with self.store.session() as session:
            try:
                declaration = get_declaration(session, reference)
            except UnknownDeclaration:
                return False
            return can_answer(session.get(Person, person_id), declaration,
                              self.casework.rules.handlers)

    def open_question(self, reference: str) -> str | None:
        """The integrity unit's question waiting on a declaration, to show beside the answer
        box (bot.casework.queries.open_question); None if none is waiting."""
        with self.store.session() as session:
            waiting = open_question(get_declaration(session, reference))
            return waiting.question if waiting else None

    def declaration_card(self, reference: str) -> dict[str, Any]:
        """Plain values for the integrity channel's card on one declaration."""
        from bot.surfaces.slack.card_jobs import declaration_card

        with self.store.session() as session:
            return declaration_card(session, self.definitions, reference)

    @staticmethod
    def outcomes(kind: str) -> list[tuple[str, str, bool]]:
        """(value, label, needs conditions) for each outcome a kind of declaration may get."""
        from bot.surfaces.slack.card_jobs import outcomes

        return outcomes(kind)

    def command_for(self, text: str) -> str | None:
        """The core's keyword command a DM is, by name (Assistant.command_for)."""
        return self.assistant.command_for(text)

    def workflow_asked_for(self, text: str) -> str | None:
        """The workflow a DM sounds like it wants started, by name, as the core judges it."""
        wanted = self.assistant.workflow_asked_for(text)
        return wanted.name if wanted is not None else None

    def is_handler(self, user_id: str) -> bool:
        return is_handler("slack", user_id, self.settings.handlers)

    def today(self) -> dt.date:
        return dt.datetime.now(self.settings.zone).date()

    def answer(self, speaker: Speaker, question: str) -> list[Reply]:
        """A policy answer alone, never a workflow (mentions, `/integrity ask`, App Home).

        A one-off conversation key keeps it apart from any declaration the person has open.
        """
        replies = self.handle(Turn(speaker, f"{SURFACE}:ask:{uuid.uuid4().hex}",
                                   text=f"{question.rstrip('?')}?"))
        # An offer to start a declaration belongs in a DM, not under a channel answer.
        return [reply for reply in replies if reply.kind != "question"] or replies

    def my_declarations(self, speaker: Speaker) -> list[Reply]:
        return self.handle(Turn(speaker, f"{SURFACE}:mine:{uuid.uuid4().hex}",
                                text="my declarations"))
