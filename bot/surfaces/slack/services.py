"""The core as the Slack surface sees it: one object holding the store and Probity's services.

Listeners reach the core only through here, so the surface holds no business rules and
there is one place that adapts the core's APIs to what Slack needs.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from bot.config import Settings
from bot.knowledge import Knowledge
from bot.reporting import ReportingContext
from bot.store import Store
from bot.store.models import AnswerFeedback
from bot.surfaces.slack.reporting_desk import ReportDesk
from bot.surfaces.slack.turns import People
from bot.turns import Reply, Speaker

log = logging.getLogger(__name__)


@dataclass
class SlackServices:
    settings: Settings
    store: Store
    knowledge: Knowledge
    reports: ReportDesk
    people: People = field(default_factory=People)
    definitions: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings) -> SlackServices:
        """Open the store and load the policies and workflows once, before serving anyone."""
        store = Store.open(settings)
        return cls(
            settings=settings, store=store, knowledge=Knowledge.load(settings),
            reports=ReportDesk(store, ReportingContext.from_settings(settings)),
        )

    def is_handler(self, user_id: str) -> bool:
        return user_id in self.settings.handlers

    def today(self) -> dt.date:
        return dt.datetime.now(self.settings.zone).date()

    def record_feedback(self, document: str | None, section: str | None, helpful: bool) -> None:
        """A "was this helpful?" vote: which passage and the date, never who voted."""
        with self.store.transaction() as session:
            session.add(AnswerFeedback(document=(document or None) and document[:300],
                                       section=(section or None) and section[:300],
                                       helpful=helpful, given_on=self.today()))

    def answer(self, question: str) -> list[Reply]:
        """A policy answer as Replies (for mentions, `/integrity ask` and App Home search)."""
        answer = self.knowledge.answer(question)
        return [Reply(answer.answer, kind="answer", citations=answer.citations,
                      data={"answered": answer.answered, "question": question})]

    def my_declarations(self, speaker: Speaker, team_id: str | None) -> list[Reply]:
        return [Reply("You have no declarations yet.", kind="list")]
