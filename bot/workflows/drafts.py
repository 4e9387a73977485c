"""Drafts: a conversation's unfinished state, kept in the Conversation table between turns.

Any process can take the next turn and a restart loses nothing. Drafts untouched for
settings.draft_expiry_hours are deleted. Workflows that must leave no trace in the database
until they are filed (`persist_draft: false`) keep their drafts in process memory instead.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.store.models import Conversation


@dataclass
class Draft:
    """One conversation's state: a workflow in progress, or an offer to start one."""

    key: str
    workflow: str | None
    state: dict[str, Any] = field(default_factory=dict)
    in_memory: bool = False


def load_draft(session: Session, key: str, now: dt.datetime) -> Draft | None:
    """The stored draft for `key`, unless it has expired (expired ones are left to purge)."""
    row = session.scalars(select(Conversation).where(Conversation.key == key)).first()
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return Draft(row.key, row.workflow, copy.deepcopy(row.state))


def save_draft(session: Session, draft: Draft, now: dt.datetime, expiry_hours: int) -> None:
    """Store the draft, pushing its expiry back to `expiry_hours` from now."""
    row = session.scalars(select(Conversation).where(Conversation.key == draft.key)).first()
    if row is None:
        row = Conversation(key=draft.key)
        session.add(row)
    row.workflow = draft.workflow
    # A new dict so SQLAlchemy sees the JSON column change.
    row.state = copy.deepcopy(draft.state)
    row.updated_at = now
    row.expires_at = now + dt.timedelta(hours=expiry_hours)
    session.flush()


def delete_draft(session: Session, key: str) -> None:
    session.execute(delete(Conversation).where(Conversation.key == key))


def purge_expired_drafts(session: Session, now: dt.datetime) -> int:
    """Delete every draft whose expiry has passed; returns how many went."""
    result = session.execute(
        delete(Conversation).where(Conversation.expires_at.is_not(None),
                                   Conversation.expires_at <= now)
    )
    return int(result.rowcount or 0)


class MemoryDrafts:
    """Drafts that never touch the database; lost on restart by design."""

    def __init__(self) -> None:
        self._drafts: dict[str, tuple[Draft, dt.datetime]] = {}

    def load(self, key: str, now: dt.datetime) -> Draft | None:
        held = self._drafts.get(key)
        if held is None or held[1] <= now:
            self._drafts.pop(key, None)
            return None
        return copy.deepcopy(held[0])

    def save(self, draft: Draft, now: dt.datetime, expiry_hours: int) -> None:
        kept = Draft(draft.key, draft.workflow, copy.deepcopy(draft.state), in_memory=True)
        self._drafts[draft.key] = (kept, now + dt.timedelta(hours=expiry_hours))

    def delete(self, key: str) -> None:
        self._drafts.pop(key, None)

    def purge(self, now: dt.datetime) -> int:
        expired = [key for key, (_, expires) in self._drafts.items() if expires <= now]
        for key in expired:
            del self._drafts[key]
        return len(expired)
