"""What happens after a decision: review and compliance-check dates, and time to decision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.casework.authorisation import require_integrity_officer, require_no_own_interest
from bot.casework.errors import CaseworkError
from bot.casework.queries import OPEN_STATUSES, get_declaration, list_declarations
from bot.casework.rules import CaseworkRules, add_months
from bot.casework.steps import record_step
from bot.messages import say
from bot.store.audit import record_event
from bot.store.history import actor_name
from bot.store.models import (
    Declaration,
    DeclarationKind,
    DeclarationStatus,
    Person,
    StatusChange,
    utcnow,
)

#: Business-interest statuses that are checked for compliance after the decision.
COMPLIANCE_STATUSES = frozenset({
    DeclarationStatus.REFUSED, DeclarationStatus.APPROVED_WITH_CONDITIONS,
})
#: Business-interest statuses reviewed every cycle (an approval, with or without conditions).
REVIEW_STATUSES = frozenset({
    DeclarationStatus.APPROVED, DeclarationStatus.APPROVED_WITH_CONDITIONS,
})


def set_follow_up_dates(
    declaration: Declaration, status: str, decided_on: dt.date, rules: CaseworkRules
) -> None:
    """Give a business interest its review and compliance-check dates for `status`.

    Approvals are reviewed a cycle on; refusals and conditions are checked, because
    inspectors found refused applicants carrying on regardless. Other kinds keep no dates.
    """
    if declaration.kind != DeclarationKind.BUSINESS_INTEREST:
        return
    declaration.review_due = (
        add_months(decided_on, rules.review_months) if status in REVIEW_STATUSES else None
    )
    declaration.compliance_check_due = (
        decided_on + dt.timedelta(days=rules.compliance_check_days)
        if status in COMPLIANCE_STATUSES else None
    )


@dataclass(frozen=True)
class TimeToDecision:
    """How long one declaration waited for its first decision, against the target."""

    reference: str
    submitted_on: dt.date
    due_on: dt.date
    decided_on: dt.date | None
    days: int
    target_days: int

    @property
    def decided(self) -> bool:
        return self.decided_on is not None

    @property
    def breached(self) -> bool:
        return self.days > self.target_days


def decision_due(declaration: Declaration, rules: CaseworkRules) -> dt.date:
    """The filed due date if the workflow set one, else submission plus the target."""
    if declaration.decision_due is not None:
        return declaration.decision_due
    submitted = rules.local_date(declaration.submitted_at)
    return submitted + dt.timedelta(days=rules.decision_target_days)


def time_to_decision(
    declaration: Declaration, rules: CaseworkRules, now: dt.datetime | None = None
) -> TimeToDecision:
    """Submitted to first decision in whole days; an undecided record counts up to `now`."""
    now = now or utcnow()
    submitted = rules.local_date(declaration.submitted_at)
    decided = rules.local_date(declaration.decided_at) if declaration.decided_at else None
    end = decided or rules.local_date(now)
    return TimeToDecision(
        reference=declaration.reference,
        submitted_on=submitted,
        due_on=decision_due(declaration, rules),
        decided_on=decided,
        days=(end - submitted).days,
        target_days=rules.decision_target_days,
    )


@dataclass(frozen=True)
class OverdueItem:
    """One piece of casework past its date."""

    reference: str
    what: str  # "decision", "review" or "compliance check"
    due_on: dt.date
    days_late: int
    person: str


def overdue(session: Session, rules: CaseworkRules, today: dt.date) -> list[OverdueItem]:
    """Undecided records past the target, and reviews and compliance checks past their date."""
    items: list[OverdueItem] = []
    for declaration in list_declarations(session):
        person = declaration.person.display_name
        if declaration.status in OPEN_STATUSES:
            due = decision_due(declaration, rules)
            if today > due:
                items.append(OverdueItem(declaration.reference, "decision", due,
                                         (today - due).days, person))
        if declaration.status in REVIEW_STATUSES and declaration.review_due \
                and today > declaration.review_due:
            items.append(OverdueItem(declaration.reference, "review", declaration.review_due,
                                     (today - declaration.review_due).days, person))
        if declaration.status in COMPLIANCE_STATUSES and declaration.compliance_check_due \
                and today > declaration.compliance_check_due:
            items.append(OverdueItem(
                declaration.reference, "compliance check", declaration.compliance_check_due,
                (today - declaration.compliance_check_due).days, person))
    return sorted(items, key=lambda item: (-item.days_late, item.reference))


def record_compliance_check(
    session: Session,
    rules: CaseworkRules,
    reference: str,
    compliant: bool,
    note: str,
    by: Person,
    next_check: dt.date | None = None,
    now: dt.datetime | None = None,
) -> StatusChange:
    """Record that a refused or conditional business interest was checked, and what was found.

    The status stays as it is (the decision still stands); the check is a step in its
    history, and the next check date replaces the one just done.
    """
    require_integrity_officer(by, rules.handlers, say("casework.step_record_compliance_check"))
    declaration = get_declaration(session, reference, lock=True)
    require_no_own_interest(by, declaration, "compliance_check")
    if declaration.kind != DeclarationKind.BUSINESS_INTEREST or \
            declaration.status not in COMPLIANCE_STATUSES:
        raise CaseworkError(say("casework.compliance_not_applicable",
                                reference=declaration.reference, kind=declaration.kind,
                                status=declaration.status))
    if not note.strip():
        raise CaseworkError(say("casework.compliance_needs_note"))
    now = now or utcnow()
    if next_check is not None and next_check <= rules.local_date(now):
        raise CaseworkError(say("casework.compliance_next_after_today"))
    found = "compliant" if compliant else "NOT compliant"
    previous_due = declaration.compliance_check_due
    declaration.compliance_check_due = next_check
    change = record_step(
        session, declaration, declaration.status, by=by, at=now,
        note=f"Compliance check: {found}. {note.strip()}",
        details={"compliance_check": found, "was_due": previous_due,
                 "next_check": next_check},
    )
    record_event(session, actor_name(by), "declaration.compliance_checked",
                 declaration.reference, {"compliant": compliant, "next_check": next_check})
    return change
