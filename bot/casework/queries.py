"""Finding declarations and reading their decision history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.casework.errors import UnknownDeclaration
from bot.store.models import (
    Appeal,
    Decision,
    Declaration,
    DeclarationStatus,
    Person,
    StatusChange,
)
from bot.store.references import normalise_reference

#: Statuses in which a declaration waits for the integrity unit's first word.
OPEN_STATUSES = frozenset({
    DeclarationStatus.SUBMITTED,
    DeclarationStatus.AWAITING_ENDORSEMENT,
    DeclarationStatus.INFORMATION_REQUESTED,
})
#: Statuses in which a decision stands and may be reviewed.
REVIEWABLE_STATUSES = frozenset({
    DeclarationStatus.APPROVED,
    DeclarationStatus.APPROVED_WITH_CONDITIONS,
    DeclarationStatus.NOTED,
})
#: Statuses that no longer describe a live record.
CLOSED_STATUSES = frozenset({DeclarationStatus.WITHDRAWN, DeclarationStatus.SUPERSEDED})


def get_declaration(session: Session, reference: str, lock: bool = False) -> Declaration:
    """The declaration with `reference` (typed loosely: "gh 2026 42"), or UnknownDeclaration.

    `lock` takes a row lock on PostgreSQL so two officers cannot decide the same record at
    once; SQLite already serialises writing transactions.
    """
    canonical = normalise_reference(reference) or reference.strip().upper()
    statement = select(Declaration).where(Declaration.reference == canonical)
    if lock:
        statement = statement.with_for_update()
    declaration = session.scalars(statement).first()
    if declaration is None:
        raise UnknownDeclaration(f"There is no declaration with the reference {reference!r}.")
    return declaration


def current_decision(declaration: Declaration) -> Decision | None:
    """The decision that stands: the latest one, since each later one supersedes the last.

    A line manager's endorsement is advice kept beside the decisions, never one of them.
    """
    decided = [d for d in declaration.decisions if d.stage != "endorsement"]
    return decided[-1] if decided else None


@dataclass(frozen=True)
class OpenQuestion:
    """The integrity unit's unanswered question on a declaration, and how to answer it."""

    reference: str
    question: str
    asked_on: dt.date

    def how_to_answer(self, surface: str) -> str:
        """Plain instructions for the declarant on `surface` ("slack" or the terminal)."""
        if surface == "slack":
            return ("Press Answer on the message Probity sent you about "
                    f"{self.reference}, or ask the integrity unit.")
        return (f'Answer it with: probity casework answer {self.reference} '
                '--answer "..." --as YOUR-NAME')


def open_question(declaration: Declaration) -> OpenQuestion | None:
    """The question waiting for the declarant's answer, if the record is waiting for one.

    The question is the note on the latest step into information_requested; the history is
    read as loaded, so call this while the declaration's session is open.
    """
    if declaration.status != DeclarationStatus.INFORMATION_REQUESTED:
        return None
    asked: StatusChange | None = next(
        (change for change in reversed(declaration.history)
         if change.to_status == DeclarationStatus.INFORMATION_REQUESTED), None)
    if asked is None:
        return None
    return OpenQuestion(declaration.reference, asked.note or "", asked.at.date())


def predecessor(session: Session, declaration: Declaration) -> Declaration | None:
    """The declaration this one replaced after a change of circumstances, if any."""
    return session.scalars(
        select(Declaration).where(Declaration.superseded_by_id == declaration.id)
    ).first()


def appeals_for(session: Session, declaration: Declaration) -> list[Appeal]:
    return list(session.scalars(
        select(Appeal).where(Appeal.declaration_id == declaration.id).order_by(Appeal.id)
    ))


def open_appeal(session: Session, declaration: Declaration) -> Appeal | None:
    return session.scalars(
        select(Appeal).where(Appeal.declaration_id == declaration.id,
                             Appeal.decision_id.is_(None))
    ).first()


def register_date(declaration: Declaration) -> dt.date:
    """The date a record sits under in a register: when it happened, else when it was filed."""
    return declaration.occurred_on or declaration.submitted_at.date()


def list_declarations(
    session: Session,
    kinds: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Sequence[Declaration]:
    """Declarations oldest first, filtered by kind, status and register date (inclusive)."""
    statement = (
        select(Declaration)
        .options(selectinload(Declaration.decisions), selectinload(Declaration.history),
                 selectinload(Declaration.person))
        .order_by(Declaration.submitted_at, Declaration.id)
    )
    if kinds is not None:
        statement = statement.where(Declaration.kind.in_(list(kinds)))
    if statuses is not None:
        statement = statement.where(Declaration.status.in_(list(statuses)))
    found = session.scalars(statement).all()
    return [
        declaration for declaration in found
        if (start is None or register_date(declaration) >= start)
        and (end is None or register_date(declaration) <= end)
    ]


def declarations_of(session: Session, person_id: int) -> list[Declaration]:
    """A declarant's own declarations, newest first ("my declarations")."""
    return list(session.scalars(
        select(Declaration).where(Declaration.person_id == person_id)
        .order_by(Declaration.submitted_at.desc(), Declaration.id.desc())
    ).all())


def known_person_id(session: Session, surface: str, surface_id: str) -> int | None:
    """The Person id Probity already has for someone on `surface`, without adding one."""
    return session.scalar(select(Person.id).where(Person.surface == surface,
                                                  Person.surface_id == surface_id))
