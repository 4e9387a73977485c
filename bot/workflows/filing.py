"""Filing a confirmed workflow: the record, its reference, route, dates, status and audit.

A definition says what it files (`files: declaration`); the assistant looks that word up in
the filers its plug-ins brought (bot.plugins.Plugin.filers: declarations bring
file_declaration, reporting brings its report filer). Every filer works inside the caller's
transaction, so the record, its audit events and the draft's deletion commit together or
not at all.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.messages import say
from bot.store.audit import record_event
from bot.store.history import actor_name, set_declaration_status
from bot.store.models import Declaration, DeclarationKind, DeclarationStatus, Person
from bot.store.references import ReferenceKind, allocate_reference
from bot.turns import Reply, Speaker
from bot.workflows.definitions import WorkflowDefinition
from bot.workflows.engine import (
    date_precisions,
    effective_answers,
    fill,
    summary_rows,
    triggered_hints,
)
from bot.workflows.fields import format_date


@dataclass(frozen=True)
class Filing:
    """Everything a filer may use. `declarant` is None for filers registered as anonymous."""

    definition: WorkflowDefinition
    state: Mapping[str, Any]
    settings: Settings
    today: dt.date
    #: The declarant's directory facts, as conditions see them (staff_type, role ...).
    profile: Mapping[str, Any]
    declarant: Person | None = None
    #: The surface's key for this submission (Turn.idempotency_key); a filer that honours it
    #: stores it with the record in the same transaction and never files it twice.
    idempotency_key: str | None = None
    #: Who is speaking as the surface knows them, for identified filings only: a filer
    #: that does not need a Person row (a confidential report seals this instead).
    speaker: Speaker | None = None


Filer = Callable[[Session, Filing], list[Reply]]


#: Whether a filer is told who is speaking: always, never, or decided by the draft's state
#: (a report is identified only when the reporter chose to be confidential).
Identified = bool | Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class FilerEntry:
    """A filer and whether it may learn who is speaking.

    `identified` may be a function of the draft's state, so one workflow can be anonymous
    or not by the person's choice; when it says no, the filer gets no declarant and no
    profile, so it cannot pass them on.
    """

    filer: Filer
    #: False for filers that must never learn who is speaking (anonymous reports).
    identified: Identified = True
    #: False for filers that take the speaker as the surface knows them and need no Person
    #: row (reports): a form filed through them creates none.
    needs_person: bool = True

    def wants_identity(self, state: Mapping[str, Any]) -> bool:
        """Whether this filing may be given the speaker's identity and directory facts."""
        if callable(self.identified):
            return bool(self.identified(state))
        return self.identified


def approvers_for(definition: WorkflowDefinition, answers: Mapping[str, Any],
                  profile: Mapping[str, Any]) -> tuple[str, ...]:
    """The first route rule whose condition holds decides who reviews the filing."""
    current = effective_answers(definition, answers, profile)
    for rule in definition.route:
        if rule.when is None or rule.when.holds(current, profile):
            return rule.approvers
    raise AssertionError(say("filing.no_unconditional_rule"))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


_REFERENCE_KINDS = {
    DeclarationKind.GIFT_HOSPITALITY: ReferenceKind.GIFT_HOSPITALITY,
    DeclarationKind.BUSINESS_INTEREST: ReferenceKind.BUSINESS_INTEREST,
    DeclarationKind.NOTIFIABLE_ASSOCIATION: ReferenceKind.NOTIFIABLE_ASSOCIATION,
}


def file_declaration(session: Session, filing: Filing) -> list[Reply]:
    """File a declaration as `submitted`, in the caller's transaction, and say what happens next.

    With an idempotency key that is already on a declaration, nothing is filed: the reply
    describes the declaration filed the first time, marked `already_filed`.
    """
    definition, declarant = filing.definition, filing.declarant
    if declarant is None:
        raise ValueError(say("filing.no_filer"))
    if filing.idempotency_key:
        earlier = session.scalars(select(Declaration).where(
            Declaration.idempotency_key == filing.idempotency_key)).first()
        if earlier is not None:
            if earlier.person_id != declarant.id:
                # Keys are random per form, so this is a forged or broken payload: refuse it
                # rather than show someone else's declaration.
                raise ValueError(say("filing.idempotency_key_reused"))
            return [_filed_reply(definition, earlier, tuple(earlier.approvers),
                                 earlier.line_manager, filing, already_filed=True)]
    kind = DeclarationKind(definition.kind)
    answers = effective_answers(definition, filing.state["answers"], filing.profile)
    approvers = approvers_for(definition, answers, filing.profile)
    line_manager = _line_manager(session, definition, answers, declarant)
    review_due = (add_months(filing.today, definition.review_cycle_months)
                  if definition.review_cycle_months else None)
    hints = triggered_hints(definition, answers, filing.profile)
    extra: dict[str, Any] = {"_declarant": _declarant_facts(declarant)}
    precisions = date_precisions(definition, filing.state, filing.profile)
    if precisions:
        # "2019-01-01" alone would claim a day nobody gave; this says it means "2019".
        extra["_precision"] = precisions
    declaration = Declaration(
        reference=allocate_reference(session, _REFERENCE_KINDS[kind], filing.today.year),
        kind=kind.value,
        status=DeclarationStatus.SUBMITTED,
        person_id=declarant.id,
        line_manager_id=line_manager.id if line_manager else None,
        workflow=definition.name,
        workflow_version=definition.version,
        # The declarant's rank and role as they were: the published register shows them.
        answers={**answers, **extra},
        summary=describe(definition, filing.state),
        approvers=list(approvers),
        hints=[{"id": hint.id, "document": hint.citation.document,
                "section": hint.citation.section} for hint in hints],
        decision_due=filing.today + dt.timedelta(days=filing.settings.decision_target_days),
        review_due=review_due,
        idempotency_key=filing.idempotency_key,
        **_typed_columns(definition, answers),
    )
    session.add(declaration)
    session.flush()
    set_declaration_status(session, declaration, DeclarationStatus.SUBMITTED, by=declarant,
                           note="filed through Probity")
    record_event(session, actor=actor_name(declarant), action="declaration.filed",
                 subject=declaration.reference,
                 details={"kind": kind.value, "workflow": definition.name,
                          "version": definition.version, "approvers": list(approvers),
                          "hints": [hint.id for hint in hints]})
    return [_filed_reply(definition, declaration, approvers, line_manager, filing)]


def describe(definition: WorkflowDefinition, state: Mapping[str, Any]) -> str:
    """A one-line description for lists: the definition's description fields, joined."""
    displays = state.get("displays", {})
    parts = [displays[name] for name in definition.description
             if name in state["answers"] and displays.get(name)]
    return " - ".join(parts)[:500]


def _typed_columns(definition: WorkflowDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for column, name in definition.record.items():
        if column == "line_manager" or name not in answers:
            continue
        value = answers[name]
        if column == "occurred_on":
            value = dt.date.fromisoformat(value)
        elif isinstance(value, dict):  # a person: record the name as shown
            value = value.get("name")
        columns[column] = value
    return columns


def _line_manager(session: Session, definition: WorkflowDefinition,
                  answers: Mapping[str, Any], declarant: Person) -> Person | None:
    """The line manager the person named, else the one the directory gives them."""
    field_name = definition.record.get("line_manager")
    named = answers.get(field_name) if field_name else None
    if isinstance(named, dict) and named.get("key"):
        found = session.scalars(select(Person).where(
            Person.surface == declarant.surface, Person.surface_id == named["key"])).first()
        if found is not None:
            return found
    if declarant.line_manager_id is not None:
        return session.get(Person, declarant.line_manager_id)
    return None


def _declarant_facts(person: Person) -> dict[str, Any]:
    return {"name": person.display_name, "rank_or_grade": person.rank_or_grade,
            "staff_type": person.staff_type, "role": person.role, "team": person.team}


def _filed_reply(definition: WorkflowDefinition, declaration: Declaration,
                 approvers: tuple[str, ...], line_manager: Person | None,
                 filing: Filing, already_filed: bool = False) -> Reply:
    reviewers = [_reviewer(definition, approver, line_manager) for approver in approvers]
    reviewers_text = (reviewers[0] if len(reviewers) == 1
                      else ", ".join(reviewers[:-1]) + " and " + reviewers[-1])
    values = {
        "reference": declaration.reference,
        "reviewers": reviewers_text,
        "decision_due": format_date(declaration.decision_due) if declaration.decision_due
        else "",
        "review_due": format_date(declaration.review_due) if declaration.review_due else "",
    }
    answers = effective_answers(definition, filing.state["answers"], filing.profile)
    paragraphs = [fill(definition.filed, definition, values)] + [
        fill(step.text, definition, values) for step in definition.next_steps
        if step.when is None or step.when.holds(answers, filing.profile)
    ]
    return Reply("\n\n".join(paragraphs), kind="filed", data={
        "reference": declaration.reference,
        "approvers": list(approvers),
        "reviewers": reviewers,
        "decision_due": declaration.decision_due.isoformat() if declaration.decision_due
        else None,
        "review_due": declaration.review_due.isoformat() if declaration.review_due else None,
        "rows": summary_rows(definition, filing.state, filing.profile),
        "already_filed": already_filed,
    })


def _reviewer(definition: WorkflowDefinition, approver: str, line_manager: Person | None) -> str:
    label = definition.approvers[approver]
    if approver == "line_manager" and line_manager is not None:
        named = " ".join(filter(None, (line_manager.rank_or_grade, line_manager.display_name)))
        return f"{label} ({named})"
    return label

