"""Finding declarations and reading their decision history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Date, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.functions import FunctionElement

from bot.casework.errors import UnknownDeclaration
from bot.messages import say
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
        raise UnknownDeclaration(say("casework.no_such_declaration", reference=repr(reference)))
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
            return say("casework.how_to_answer_slack", reference=self.reference)
        return say("casework.how_to_answer_terminal", reference=self.reference)


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
    *,
    with_history: bool = True,
    with_decisions: bool = True,
    with_deciders: bool = True,
) -> Sequence[Declaration]:
    """Declarations oldest first, filtered by kind, status and register date (inclusive).

    The dates are compared in SQL (see register_day), so a quarter reads only its own
    records; `with_history=False` skips loading status histories for callers that never
    read them (publication), which is most of the memory at 50,000 records;
    `with_decisions=False` skips the decisions too (the cross-checks read neither).
    """
    loads = [selectinload(Declaration.person)]
    if with_decisions:
        decisions = selectinload(Declaration.decisions)
        # Who decided is read by the registers, not by publication.
        loads.append(decisions.selectinload(Decision.decided_by) if with_deciders
                     else decisions)
    if with_history:
        loads.append(selectinload(Declaration.history))
    statement = (
        select(Declaration).options(*loads)
        .order_by(Declaration.submitted_at, Declaration.id)
    )
    if kinds is not None:
        statement = statement.where(Declaration.kind.in_(list(kinds)))
    if statuses is not None:
        statement = statement.where(Declaration.status.in_(list(statuses)))
    if start is not None:
        statement = statement.where(register_day() >= start)
    if end is not None:
        statement = statement.where(register_day() <= end)
    return session.scalars(statement).all()


class _RegisterDay(FunctionElement[dt.date]):
    """register_date() in SQL: the day it happened, else the UTC day it was filed."""

    type = Date()
    inherit_cache = True


@compiles(_RegisterDay)
def _register_day_default(element: _RegisterDay, compiler: Any, **kw: Any) -> str:
    # SQLite keeps dates as ISO text and date() of a stored instant is its UTC day.
    return "coalesce(declarations.occurred_on, date(declarations.submitted_at))"


@compiles(_RegisterDay, "postgresql")
def _register_day_postgresql(element: _RegisterDay, compiler: Any, **kw: Any) -> str:
    # The UTC day whatever the session's time zone, as register_date() takes it in Python.
    return ("coalesce(declarations.occurred_on, "
            "(declarations.submitted_at AT TIME ZONE 'UTC')::date)")


def register_day() -> ColumnElement[dt.date]:
    """A SQL expression for register_date(declaration), for filters and ORDER BY."""
    return _RegisterDay()


@dataclass(frozen=True)
class DeclarationSearch:
    """What a handler narrows a queue or register by; every part is applied in SQL."""

    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    #: Part of the declarant's name or id.
    person: str = ""
    #: Part of the other party's organisation or name.
    organisation: str = ""
    #: Part of the reference or summary.
    text: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    #: Only records assigned to this person id; 0 means "assigned to nobody".
    assigned_to: int | None = None


@dataclass(frozen=True)
class DeclarationPage:
    """One page of a search: the records on it, with the total the search matched."""

    declarations: list[Declaration]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    # LIKE wildcards typed by a person are literal characters, not patterns.
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def _searched(statement: Any, search: DeclarationSearch) -> Any:
    from bot.store.models import CaseAssignment, Person

    if search.kinds:
        statement = statement.where(Declaration.kind.in_(search.kinds))
    if search.statuses:
        statement = statement.where(Declaration.status.in_(search.statuses))
    if search.start is not None:
        statement = statement.where(register_day() >= search.start)
    if search.end is not None:
        statement = statement.where(register_day() <= search.end)
    if search.person.strip():
        people = select(Person.id).where(or_(_contains(Person.display_name, search.person),
                                             _contains(Person.surface_id, search.person)))
        statement = statement.where(Declaration.person_id.in_(people))
    if search.organisation.strip():
        statement = statement.where(or_(
            _contains(Declaration.counterparty_organisation, search.organisation),
            _contains(Declaration.counterparty_name, search.organisation)))
    if search.text.strip():
        statement = statement.where(or_(_contains(Declaration.reference, search.text),
                                        _contains(Declaration.summary, search.text)))
    if search.assigned_to is not None:
        assigned = select(CaseAssignment.reference)
        if search.assigned_to == 0:
            statement = statement.where(Declaration.reference.not_in(assigned))
        else:
            statement = statement.where(Declaration.reference.in_(
                assigned.where(CaseAssignment.handler_id == search.assigned_to)))
    return statement


def search_declarations(session: Session, search: DeclarationSearch, page: int = 1,
                        per_page: int = 25, oldest_first: bool = True) -> DeclarationPage:
    """One page of the declarations `search` matches, counted and cut in SQL.

    Only the page's records (and their declarants) are loaded, so a page costs about the
    same at 500 records as at 50,000. The page is cut on ids first: sorting the matches'
    ids (from an index) is cheap where sorting whole rows, answers and all, is not, when a
    loose filter matches thousands.
    """
    page = max(1, page)
    total = session.scalar(_searched(select(func.count(Declaration.id)), search)) or 0
    order = (Declaration.submitted_at, Declaration.id) if oldest_first else \
        (Declaration.submitted_at.desc(), Declaration.id.desc())
    ids = list(session.scalars(_searched(select(Declaration.id), search).order_by(*order)
                               .limit(per_page).offset((page - 1) * per_page)))
    loaded = {d.id: d for d in session.scalars(
        select(Declaration).where(Declaration.id.in_(ids))
        .options(selectinload(Declaration.person)))} if ids else {}
    return DeclarationPage([loaded[number] for number in ids], total, page, per_page)


def find_declarations(session: Session, search: DeclarationSearch) -> Sequence[Declaration]:
    """Every declaration `search` matches, oldest first, with what a register entry reads
    (an export: unpaginated, but filtered in SQL)."""
    return session.scalars(
        _searched(select(Declaration), search)
        .options(selectinload(Declaration.decisions).selectinload(Decision.decided_by),
                 selectinload(Declaration.person), selectinload(Declaration.history))
        .order_by(Declaration.submitted_at, Declaration.id)).all()


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
