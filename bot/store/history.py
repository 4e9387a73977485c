"""Status changes that always leave their history row and audit event in the same transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.store.audit import record_event
from bot.store.models import Declaration, Person, StatusChange


def actor_name(person: Person | None) -> str:
    """How the audit log names whoever acted: a person by id, otherwise the system."""
    return f"person:{person.id}" if person is not None else "system"


def set_declaration_status(
    session: Session,
    declaration: Declaration,
    to_status: str,
    by: Person | None = None,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> StatusChange:
    """Move a declaration to `to_status`, recording the step in its history and the audit log.

    Also used for the first status of a newly filed declaration (from_status is then None).
    """
    if declaration.id is None:
        session.add(declaration)
        session.flush()
    previous = declaration.status if declaration.history else None
    change = StatusChange(
        declaration_id=declaration.id,
        from_status=previous,
        to_status=to_status,
        by_person_id=by.id if by is not None else None,
        note=note,
    )
    declaration.status = to_status
    declaration.history.append(change)
    session.flush()
    record_event(
        session,
        actor=actor_name(by),
        action="declaration.status",
        subject=declaration.reference,
        details={"from": previous, "to": to_status, **(details or {})},
    )
    return change
