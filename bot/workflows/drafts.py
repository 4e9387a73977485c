"""Drafts: a conversation's unfinished state, kept in the Conversation table between turns.

Any process can take the next turn and a restart loses nothing. Drafts untouched for
settings.draft_expiry_hours are deleted. Workflows that must leave no trace in the database
until they are filed (`persist_draft: false`) keep their drafts in process memory instead.

Two turns on one conversation can be in flight at once (a double-tap, two Slack deliveries,
two processes). Each row carries a version: a write names the version its turn read, and
finds it changed, it raises DraftConflict instead of overwriting the other turn's answer.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import delete, select, update
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.models import Conversation


@dataclass
class Draft:
    """One conversation's state: a workflow in progress, or an offer to start one."""

    key: str
    workflow: str | None
    state: dict[str, Any] = field(default_factory=dict)
    in_memory: bool = False
    #: The stored row's version when this draft was read (None: not read from the database).
    version: int | None = None


class DraftConflict(RuntimeError):
    """Another turn changed the conversation since this turn read it; nothing was written."""


#: save_draft/delete_draft without a version check (for callers outside a turn).
UNCHECKED = -1


def load_draft(session: Session, key: str, now: dt.datetime) -> Draft | None:
    """The stored draft for `key`, unless it has expired (expired ones are left to purge)."""
    row = session.scalars(select(Conversation).where(Conversation.key == key)).first()
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return Draft(row.key, row.workflow, copy.deepcopy(row.state), version=row.version)


def stored_version(session: Session, key: str) -> int | None:
    """The version of the row for `key`, expired or not, or None when there is none."""
    return session.scalars(select(Conversation.version).where(Conversation.key == key)).first()


def save_draft(session: Session, draft: Draft, now: dt.datetime, expiry_hours: int,
               expected_version: int | None = UNCHECKED) -> None:
    """Store the draft, pushing its expiry back to `expiry_hours` from now.

    `expected_version` is the version the turn read (None: there was no row). If the row
    has moved on since, DraftConflict is raised and nothing is written; the caller's
    transaction must then roll back.
    """
    values = {"workflow": draft.workflow, "state": copy.deepcopy(draft.state),
              "updated_at": now, "expires_at": now + dt.timedelta(hours=expiry_hours)}
    if expected_version is None or (expected_version == UNCHECKED and
                                    stored_version(session, draft.key) is None):
        if expected_version is None and stored_version(session, draft.key) is not None:
            raise DraftConflict(draft.key)
        try:
            # A savepoint, so a concurrent insert's unique-key clash ends only this attempt.
            with session.begin_nested():
                session.add(Conversation(key=draft.key, version=1, **values))
        except IntegrityError:
            raise DraftConflict(draft.key) from None
        return
    condition = Conversation.key == draft.key
    if expected_version != UNCHECKED:
        condition = condition & (Conversation.version == expected_version)
    result = session.execute(update(Conversation).where(condition).values(
        version=Conversation.version + 1, **values).execution_options(
        synchronize_session=False))
    if not _changed(result):
        raise DraftConflict(draft.key)


def delete_draft(session: Session, key: str, expected_version: int | None = UNCHECKED) -> None:
    """Delete the conversation's row; with `expected_version`, only if it is still that one.

    Raises DraftConflict when the row changed since it was read (or appeared, for None).
    """
    if expected_version == UNCHECKED:
        session.execute(delete(Conversation).where(Conversation.key == key))
        return
    if expected_version is None:
        if stored_version(session, key) is not None:
            raise DraftConflict(key)
        return
    result = session.execute(delete(Conversation).where(
        Conversation.key == key, Conversation.version == expected_version))
    if not _changed(result):
        raise DraftConflict(key)


def purge_expired_drafts(session: Session, now: dt.datetime) -> int:
    """Delete every draft whose expiry has passed; returns how many went."""
    result = session.execute(
        delete(Conversation).where(Conversation.expires_at.is_not(None),
                                   Conversation.expires_at <= now)
    )
    return _changed(result)


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


def _changed(result: Result[Any]) -> int:
    # UPDATE and DELETE give a CursorResult, which counts the rows they touched.
    return int(cast(CursorResult[Any], result).rowcount or 0)
