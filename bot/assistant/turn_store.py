"""The turn store: read what a turn needs in one short transaction, apply its outcome in one.

A draft kept in process memory (`persist_draft: false` workflows, reporting's follow-up)
changes only once the database agrees. Every write names the conversation version the turn
read; if another turn wrote in between, DraftConflict rolls the whole transaction back,
filing included, and the assistant takes the turn again from the new state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.directory import StaffMember, person_for_speaker
from bot.plugins import Outcome, TurnContext
from bot.store import Store
from bot.store.models import Person
from bot.turns import Reply, Speaker, Turn
from bot.workflows.definitions import WorkflowDefinition
from bot.workflows.drafts import (
    MemoryDrafts,
    delete_draft,
    load_draft,
    purge_expired_drafts,
    save_draft,
    stored_version,
)
from bot.workflows.filing import FilerEntry, Filing
from bot.workflows.intents import printable

#: Keeps the owners' log of unanswered questions: (session, question, day).
UnansweredLog = Callable[[Session, str, dt.date], None]


class TurnStore:
    """Conversation state, filing and the unanswered-question log, for one assistant."""

    def __init__(self, settings: Settings, store: Store, filers: Mapping[str, FilerEntry],
                 clock: Callable[[], dt.datetime],
                 log_unanswered: UnansweredLog | None = None) -> None:
        self.settings = settings
        self.store = store
        self.filers = dict(filers)
        self.clock = clock
        self.memory = MemoryDrafts()
        self.log_unanswered = log_unanswered
        #: Called as hook(session, definition, reply) for each new filing, in its
        #: transaction: a surface's outbox jobs commit with the record or not at all.
        self.on_filed: list[Callable[[Session, WorkflowDefinition, Reply], None]] = []

    def read(self, turn: Turn) -> TurnContext:
        """The speaker, their line manager and the conversation's draft, as of now."""
        now = self.clock()
        with self.store.transaction() as session:
            purge_expired_drafts(session, now)
            person = person_for_speaker(session, turn.speaker)
            manager = session.get(Person, person.line_manager_id) if \
                person.line_manager_id else None
            draft = self.memory.load(turn.conversation_key, now) or load_draft(
                session, turn.conversation_key, now)
            seen_version = stored_version(session, turn.conversation_key)
            self.memory.purge(now)
            return TurnContext(
                turn=turn,
                text=printable(turn.text or "").strip(),
                action=turn.action,
                now=now,
                today=now.astimezone(self.settings.zone).date(),
                person_id=person.id,
                profile={"staff_type": person.staff_type, "rank_or_grade": person.rank_or_grade,
                         "role": person.role, "team": person.team},
                line_manager=StaffMember.from_person(manager) if manager else None,
                draft=draft,
                seen_version=seen_version,
            )

    def write(self, context: TurnContext, outcome: Outcome) -> list[Reply]:
        """Apply `outcome` in one transaction; raises DraftConflict if the turn was overtaken."""
        key = context.turn.conversation_key
        replies = list(outcome.replies)
        if outcome.file or outcome.save or outcome.delete or outcome.unanswered:
            seen = context.seen_version
            with self.store.transaction() as session:
                if outcome.file:
                    replies += self.file(session, context, *outcome.file)
                    delete_draft(session, key, seen)
                elif outcome.save is not None and not outcome.save.in_memory:
                    save_draft(session, outcome.save, context.now,
                               self.settings.draft_expiry_hours, seen)
                elif outcome.delete:
                    delete_draft(session, key, seen)
                elif outcome.save is not None:
                    # A draft kept in memory leaves no row behind; clearing one is tidying.
                    delete_draft(session, key)
                if outcome.unanswered and self.log_unanswered is not None:
                    self.log_unanswered(session, outcome.unanswered, context.today)
        # Process memory changes only once the database agrees.
        if outcome.save is not None and outcome.save.in_memory:
            self.memory.save(outcome.save, context.now, self.settings.draft_expiry_hours)
        elif outcome.file or outcome.save is not None or outcome.delete:
            self.memory.delete(key)
        return replies

    def file(self, session: Session, context: TurnContext, definition: WorkflowDefinition,
             state: Mapping[str, Any]) -> list[Reply]:
        """File a confirmed workflow with its filer, inside the caller's transaction."""
        return self.file_state(session, definition, state, person_id=context.person_id,
                               profile=context.profile, today=context.today,
                               idempotency_key=context.turn.idempotency_key,
                               speaker=context.turn.speaker)

    def file_state(self, session: Session, definition: WorkflowDefinition,
                   state: Mapping[str, Any], *, person_id: int | None,
                   profile: Mapping[str, Any], today: dt.date,
                   idempotency_key: str | None, speaker: Speaker | None = None
                   ) -> list[Reply]:
        """File `state` (DraftState JSON) for `person_id` (None: no Person row), said by
        `speaker`; a filing that may not know who is speaking gets neither."""
        entry = self.filers[definition.files]
        # An unidentified filing is built without the speaker: no person row and no
        # directory facts (rank, role and team together can name someone).
        identified = entry.wants_identity(state)
        if identified and person_id is None and (entry.needs_person or speaker is None):
            raise ValueError(f"files={definition.files}: person_id required")
        declarant = session.get(Person, person_id) if identified and person_id else None
        filing = Filing(definition=definition, state=state, settings=self.settings,
                        today=today, profile=profile if identified else {},
                        declarant=declarant, idempotency_key=idempotency_key,
                        speaker=speaker if identified else None)
        replies = entry.filer(session, filing)
        for reply in replies:
            if reply.kind == "filed" and not reply.data.get("already_filed"):
                for hook in self.on_filed:
                    hook(session, definition, reply)
        return replies
