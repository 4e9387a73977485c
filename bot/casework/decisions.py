"""Deciding a declaration, and asking its declarant for more information first."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.casework.authorisation import (
    can_answer,
    not_their_declaration,
    require_integrity_officer,
    require_no_own_interest,
)
from bot.casework.errors import CaseworkError
from bot.casework.followup import set_follow_up_dates
from bot.casework.outcomes import outcome_for
from bot.casework.queries import (
    OPEN_STATUSES,
    REVIEWABLE_STATUSES,
    current_decision,
    get_declaration,
    predecessor,
)
from bot.casework.rules import CaseworkRules
from bot.casework.steps import record_step
from bot.messages import say
from bot.store.audit import record_event
from bot.store.history import actor_name
from bot.store.models import Decision, DeclarationStatus, Person, StatusChange, utcnow


def decide(
    session: Session,
    rules: CaseworkRules,
    reference: str,
    outcome: str,
    rationale: str,
    by: Person,
    conditions: str | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """Record the integrity unit's decision on a declaration, with its rationale.

    An undecided record gets its first ("initial") decision, or a "review" decision when it
    replaced an earlier record after a change of circumstances. A standing approval or note
    may be decided again at review; the new decision supersedes the old, which is kept.
    Refusals are revisited only through an appeal.
    """
    require_integrity_officer(by, rules.handlers, "decide declarations")
    declaration = get_declaration(session, reference, lock=True)
    require_no_own_interest(by, declaration, "decide")
    chosen, effect = outcome_for(declaration.kind, outcome)
    rationale = (rationale or "").strip()
    conditions = (conditions or "").strip() or None
    if not rationale:
        raise CaseworkError(say("casework.needs_rationale"))
    if effect.needs_conditions and not conditions:
        raise CaseworkError(say("casework.needs_conditions", outcome=chosen))
    if conditions and not effect.needs_conditions:
        raise CaseworkError(say("casework.takes_no_conditions", outcome=chosen))

    if declaration.status in OPEN_STATUSES:
        stage = "review" if predecessor(session, declaration) is not None else "initial"
    elif declaration.status in REVIEWABLE_STATUSES:
        stage = "review"
    elif declaration.status == DeclarationStatus.REFUSED:
        raise CaseworkError(say("casework.refused_needs_appeal",
                                reference=declaration.reference))
    else:
        raise CaseworkError(say("casework.cannot_be_decided", reference=declaration.reference,
                                status=declaration.status.replace("_", " ")))

    now = now or utcnow()
    previous = current_decision(declaration)
    decision = Decision(
        outcome=chosen.value,
        rationale=rationale,
        conditions=conditions,
        stage=stage,
        decided_by_id=by.id,
        decided_at=now,
        supersedes_id=previous.id if previous is not None else None,
    )
    # Appending through the relationship keeps the loaded history in order without reloading.
    declaration.decisions.append(decision)
    session.flush()
    # Time to decision runs from submission to the first decision only.
    if declaration.decided_at is None:
        declaration.decided_at = now
    set_follow_up_dates(declaration, effect.status, rules.local_date(now), rules)
    record_step(
        session, declaration, effect.status, by=by, note=rationale, at=now,
        details={"decision_id": decision.id, "outcome": chosen.value, "stage": stage},
    )
    record_event(session, actor_name(by), "declaration.decided", declaration.reference, {
        "decision_id": decision.id, "outcome": chosen.value, "stage": stage,
        "rationale": rationale, "conditions": conditions,
        "supersedes_decision_id": decision.supersedes_id,
        "review_due": declaration.review_due,
        "compliance_check_due": declaration.compliance_check_due,
    })
    return decision


def request_information(
    session: Session,
    rules: CaseworkRules,
    reference: str,
    question: str,
    by: Person,
    now: dt.datetime | None = None,
) -> StatusChange:
    """Ask the declarant a question before deciding; the record waits in information_requested."""
    require_integrity_officer(by, rules.handlers, say("casework.step_ask_information"))
    declaration = get_declaration(session, reference, lock=True)
    require_no_own_interest(by, declaration, "request_information")
    question = (question or "").strip()
    if not question:
        raise CaseworkError(say("casework.needs_question"))
    if declaration.status not in OPEN_STATUSES:
        raise CaseworkError(say("casework.already_decided", reference=declaration.reference,
                                status=declaration.status.replace("_", " ")))
    return record_step(
        session, declaration, DeclarationStatus.INFORMATION_REQUESTED, by=by, note=question,
        at=now or utcnow(), details={"question": question},
    )


def provide_information(
    session: Session,
    rules: CaseworkRules,
    reference: str,
    answer: str,
    by: Person,
    now: dt.datetime | None = None,
) -> StatusChange:
    """The declarant's answer to a question: the record goes back to the integrity unit."""
    declaration = get_declaration(session, reference, lock=True)
    if not can_answer(by, declaration, rules.handlers):
        raise not_their_declaration(by, declaration, "answer questions")
    answer = (answer or "").strip()
    if not answer:
        raise CaseworkError(say("casework.needs_answer"))
    if declaration.status != DeclarationStatus.INFORMATION_REQUESTED:
        raise CaseworkError(say("casework.no_question_asked", reference=declaration.reference))
    return record_step(
        session, declaration, DeclarationStatus.SUBMITTED, by=by, note=answer,
        at=now or utcnow(), details={"information_provided": True},
    )
