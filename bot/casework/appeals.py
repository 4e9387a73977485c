"""Appeals against refusals: lodged as their own record, answered by their own decision."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.casework.authorisation import (
    require_declarant_or_officer,
    require_integrity_officer,
    require_no_own_interest,
)
from bot.casework.errors import CaseworkError
from bot.casework.followup import set_follow_up_dates
from bot.casework.outcomes import Outcome, parse_outcome
from bot.casework.queries import current_decision, get_declaration, open_appeal
from bot.casework.rules import CaseworkRules
from bot.casework.steps import record_step
from bot.messages import say
from bot.store.audit import record_event
from bot.store.history import actor_name
from bot.store.models import (
    Appeal,
    Decision,
    DeclarationKind,
    DeclarationStatus,
    Person,
    utcnow,
)


def lodge_appeal(
    session: Session,
    rules: CaseworkRules,
    reference: str,
    grounds: str,
    by: Person,
    now: dt.datetime | None = None,
) -> Appeal:
    """The declarant (or an officer for them) appeals a refusal, giving their grounds."""
    declaration = get_declaration(session, reference, lock=True)
    require_declarant_or_officer(by, declaration, rules.handlers, "appeal")
    grounds = (grounds or "").strip()
    if not grounds:
        raise CaseworkError(say("casework.appeal_needs_grounds"))
    if declaration.status == DeclarationStatus.APPEALED:
        raise CaseworkError(say("casework.appeal_already_waiting", reference=declaration.reference))
    if declaration.status != DeclarationStatus.REFUSED:
        raise CaseworkError(say("casework.only_refusal_appealable",
                                reference=declaration.reference,
                                status=declaration.status.replace("_", " ")))
    now = now or utcnow()
    appeal = Appeal(declaration_id=declaration.id, grounds=grounds, lodged_at=now)
    session.add(appeal)
    session.flush()
    record_step(session, declaration, DeclarationStatus.APPEALED, by=by, note=grounds, at=now,
                details={"appeal_id": appeal.id})
    record_event(session, actor_name(by), "declaration.appeal_lodged", declaration.reference,
                 {"appeal_id": appeal.id})
    return appeal


def decide_appeal(
    session: Session,
    rules: CaseworkRules,
    reference: str,
    outcome: str,
    rationale: str,
    by: Person,
    conditions: str | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """Uphold (overturn the refusal, optionally with conditions) or dismiss an appeal.

    Whoever made the refusal may not decide the appeal against it: an appeal that the
    same person hears again is no appeal.
    """
    require_integrity_officer(by, rules.handlers, "decide appeals")
    declaration = get_declaration(session, reference, lock=True)
    require_no_own_interest(by, declaration, "decide_appeal")
    appeal = open_appeal(session, declaration)
    if declaration.status != DeclarationStatus.APPEALED or appeal is None:
        raise CaseworkError(say("casework.no_appeal_waiting", reference=declaration.reference))
    chosen = parse_outcome(outcome)
    if chosen not in (Outcome.APPEAL_UPHELD, Outcome.APPEAL_DISMISSED):
        raise CaseworkError(say("casework.not_an_appeal_outcome", outcome=repr(outcome)))
    rationale = (rationale or "").strip()
    conditions = (conditions or "").strip() or None
    if not rationale:
        raise CaseworkError(say("casework.appeal_needs_rationale"))
    if conditions and chosen == Outcome.APPEAL_DISMISSED:
        raise CaseworkError(say("casework.dismissed_takes_no_conditions"))
    refusal = current_decision(declaration)
    if refusal is not None and refusal.decided_by_id == by.id:
        raise CaseworkError(say("casework.decided_under_appeal", who=by.display_name))

    if chosen == Outcome.APPEAL_DISMISSED:
        status = DeclarationStatus.REFUSED
    elif conditions:
        status = DeclarationStatus.APPROVED_WITH_CONDITIONS
    elif declaration.kind == DeclarationKind.NOTIFIABLE_ASSOCIATION:
        status = DeclarationStatus.NOTED
    else:
        status = DeclarationStatus.APPROVED

    now = now or utcnow()
    decision = Decision(
        outcome=chosen.value, rationale=rationale,
        conditions=conditions, stage="appeal", decided_by_id=by.id, decided_at=now,
        supersedes_id=refusal.id if refusal is not None else None,
    )
    # Appending through the relationship keeps the loaded history in order without reloading.
    declaration.decisions.append(decision)
    session.flush()
    appeal.decision_id = decision.id
    if chosen == Outcome.APPEAL_UPHELD or declaration.compliance_check_due is None:
        set_follow_up_dates(declaration, status, rules.local_date(now), rules)
    record_step(session, declaration, status, by=by, note=rationale, at=now, details={
        "decision_id": decision.id, "outcome": chosen.value, "stage": "appeal",
        "appeal_id": appeal.id,
    })
    record_event(session, actor_name(by), "declaration.appeal_decided", declaration.reference, {
        "appeal_id": appeal.id, "decision_id": decision.id, "outcome": chosen.value,
        "rationale": rationale, "conditions": conditions,
    })
    return decision
