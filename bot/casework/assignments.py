"""Which integrity officer is working a declaration or report: assigned, reassigned, cleared."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.casework.authorisation import is_integrity_officer, require_integrity_officer
from bot.casework.errors import CaseworkError
from bot.handlers import is_handler
from bot.messages import say
from bot.store.audit import record_event
from bot.store.history import actor_name
from bot.store.models import CaseAssignment, Person, utcnow


def handlers_known(session: Session, handlers: Iterable[str]) -> list[Person]:
    """The integrity officers the store knows, by name: who a case may be assigned to."""
    listed = tuple(handlers)
    ids = {handler.strip().split(":")[-1] for handler in listed}
    return [person for person in session.scalars(
        select(Person).where(Person.surface_id.in_(ids)).order_by(Person.display_name))
        if is_handler(person.surface, person.surface_id, listed)]


def assign(session: Session, handlers: Iterable[str], reference: str,
           handler: Person | None, by: Person) -> CaseAssignment | None:
    """Give `reference` to `handler` (None clears it); only integrity officers may, and only
    to an integrity officer. Audited either way it goes."""
    listed = tuple(handlers)
    require_integrity_officer(by, listed, say("casework.step_assign"))
    if handler is not None and not is_integrity_officer(handler, listed):
        raise CaseworkError(say("casework.handler_not_officer", who=handler.display_name))
    current = session.get(CaseAssignment, reference)
    if handler is None:
        if current is not None:
            session.delete(current)
            record_event(session, actor_name(by), "case.unassigned", reference, {})
        return None
    if current is None:
        current = CaseAssignment(reference=reference, handler_id=handler.id)
        session.add(current)
    current.handler_id = handler.id
    current.assigned_by_id = by.id
    current.assigned_at = utcnow()
    record_event(session, actor_name(by), "case.assigned", reference,
                 {"handler": actor_name(handler)})
    session.flush()
    return current


def assignees(session: Session, references: Iterable[str]) -> dict[str, Person]:
    """Who each of `references` is assigned to, for one page of a queue."""
    wanted = list(references)
    if not wanted:
        return {}
    return {assignment.reference: assignment.handler for assignment in session.scalars(
        select(CaseAssignment).where(CaseAssignment.reference.in_(wanted)))}
