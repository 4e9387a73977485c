"""Who may decide, appeal or change a declaration, and the audit trail when someone may not."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from bot.casework.errors import NotAuthorised
from bot.config import Settings
from bot.handlers import is_handler
from bot.messages import say
from bot.store.audit import record_event
from bot.store.history import actor_name
from bot.store.models import Declaration, Person


def is_integrity_officer(person: Person | None, handlers: Iterable[str]) -> bool:
    """True when `person` is listed in settings.handlers (see bot.handlers.is_handler)."""
    return person is not None and is_handler(person.surface, person.surface_id, handlers)


def is_declarant(person: Person | None, declaration: Declaration) -> bool:
    return person is not None and person.id == declaration.person_id


def require_integrity_officer(person: Person | None, handlers: Iterable[str], step: str) -> None:
    if not is_integrity_officer(person, handlers):
        who = person.display_name if person is not None else say("casework.unknown_person")
        raise NotAuthorised(say("casework.not_an_officer", who=who, step=step))


def has_own_interest(person: Person | None, declaration: Declaration) -> bool:
    """Whether `person` has a stake in `declaration` that bars them from judging it: it is
    their own, or they endorsed it (or are the line manager its route asks to endorse it),
    so deciding it as the integrity unit would approve their own advice."""
    if person is None:
        return False
    if is_declarant(person, declaration):
        return True
    if declaration.line_manager_id == person.id and "line_manager" in (
            declaration.approvers or []):
        return True
    return any(decision.stage == "endorsement" and decision.decided_by_id == person.id
               for decision in declaration.decisions)


def require_no_own_interest(person: Person | None, declaration: Declaration, step: str) -> None:
    """Refuse a judging `step` (decide, request_information, compliance_check,
    decide_appeal, endorse) by someone with a stake in the record. Every surface reaches
    this through the core step, so none can skip it; the refusal is audited by the caller
    like any other (Casework._run)."""
    if person is None:
        return
    doing = say(f"casework.step_{step}")
    if is_declarant(person, declaration):
        raise NotAuthorised(say("casework.own_declaration", who=person.display_name,
                                step=doing, reference=declaration.reference))
    if step != "endorse" and has_own_interest(person, declaration):
        raise NotAuthorised(say("casework.own_endorsement", who=person.display_name,
                                step=doing, reference=declaration.reference))


def can_act_for_declarant(person: Person | None, declaration: Declaration,
                          handlers: Iterable[str]) -> bool:
    """Whether `person` may take a declarant's step on `declaration` (answer a question,
    appeal, report a change): its declarant, or an integrity officer acting for them."""
    return is_declarant(person, declaration) or is_integrity_officer(person, handlers)


def can_answer(person: Person | None, declaration: Declaration, handlers: Iterable[str]) -> bool:
    """Whether `person` may answer the integrity unit's question on `declaration`."""
    return can_act_for_declarant(person, declaration, handlers)


def require_declarant_or_officer(
    person: Person | None, declaration: Declaration, handlers: Iterable[str], step: str
) -> None:
    if not can_act_for_declarant(person, declaration, handlers):
        raise not_their_declaration(person, declaration, step)


def not_their_declaration(person: Person | None, declaration: Declaration,
                          step: str) -> NotAuthorised:
    """The refusal for someone taking a declarant's `step` on another person's record."""
    who = person.display_name if person is not None else say("casework.unknown_person")
    return NotAuthorised(say("casework.only_own_declarations", who=who, step=step,
                             reference=declaration.reference))


def record_refusal(session: Session, person: Person | None, step: str, subject: str | None) -> None:
    """Audit a refused attempt. Call it in a transaction of its own: the step itself failed."""
    record_event(
        session,
        actor=actor_name(person),
        action="casework.refused",
        subject=subject,
        details={"step": step},
    )


def check_operator(session: Session, settings: Settings, person: Person | None,
                   claimed: str | None, attempted: str, *, reading: bool = False) -> Person:
    """The person a command-line step runs as, checked against who is at the shell
    (bot.store.operators): `--as` naming an integrity officer must name one this shell user
    is listed as; a read of personal data needs such an officer. With no `--as` it is the
    operator's own handler. Refusals are audited here (the caller's transaction commits
    them) and raised as NotAuthorised.

    Naming someone who is not an officer claims no privilege: the step's own rules refuse it
    or, for a declarant's own steps (answer, appeal), let it through. That remains a claim,
    as documented in docs/reporting.md.
    """
    from bot.casework.people import find_person
    from bot.store.operators import OperatorRefused, acting_handler, current_operator

    operator = current_operator(settings)
    handlers = settings.handlers
    try:
        if person is not None and not reading and not is_integrity_officer(person, handlers):
            return person
        name = None if person is None else person.surface_id
        _, chosen = acting_handler(settings, name)
        found = person or find_person(session, chosen, settings.directory_file)
        if reading and not is_integrity_officer(found, handlers):
            raise OperatorRefused(say("casework.read_needs_officer", who=found.display_name))
        return found
    except OperatorRefused as refused:
        record_event(session, operator.actor, "cli.identity_refused", None,
                     {"claimed": claimed, "attempted": attempted, "by": operator.by})
        raise NotAuthorised(str(refused)) from None
