"""The line manager's endorsement of a declaration whose approval route names them.

An endorsement is advice to the integrity unit, not its decision: it is kept as a Decision
with stage "endorsement" (so it has a rationale, a date and an author like any other), but
it never becomes the declaration's standing decision and leaves the record open for the
unit to decide. A later endorsement by the same manager supersedes the earlier one, which
is kept.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.casework.authorisation import require_no_own_interest
from bot.casework.errors import CaseworkError, NotAuthorised
from bot.casework.queries import OPEN_STATUSES, get_declaration
from bot.casework.steps import record_step
from bot.messages import say
from bot.store.audit import record_event
from bot.store.history import actor_name
from bot.store.models import Decision, Declaration, DeclarationStatus, Person, utcnow

ENDORSEMENT = "endorsement"
ENDORSED = "endorsed"
NOT_ENDORSED = "not_endorsed"
#: The approver name a workflow's route uses for the declarant's line manager.
LINE_MANAGER = "line_manager"


def is_named_line_manager(person: Person | None, declaration: Declaration) -> bool:
    """Whether `person` is the line manager recorded on the declaration when it was filed."""
    return (person is not None and declaration.line_manager_id is not None
            and person.id == declaration.line_manager_id)


def endorser_to_ask(declaration: Declaration, surface: str) -> Person | None:
    """The line manager to ask, on `surface`, to endorse a newly filed declaration.

    Only when its route needs the line manager's endorsement and the line manager is known
    on that surface (someone from the terminal's directory cannot be sent a Slack DM).
    """
    manager = declaration.line_manager
    if "line_manager" not in declaration.approvers or manager is None:
        return None
    return manager if manager.surface == surface else None


def can_endorse(person: Person | None, declaration: Declaration) -> bool:
    """Whether `person` may endorse `declaration`: only the line manager named on it.

    Whether the record still takes an endorsement (its route, its status) is checked when
    the endorsement is given, with the reasons why not.
    """
    return is_named_line_manager(person, declaration)


def latest_endorsement(declaration: Declaration) -> Decision | None:
    found = [d for d in declaration.decisions if d.stage == ENDORSEMENT]
    return found[-1] if found else None


def endorse(
    session: Session,
    reference: str,
    endorsed: bool,
    rationale: str,
    by: Person,
    now: dt.datetime | None = None,
) -> Decision:
    """Record the line manager's endorsement (or refusal to endorse), with their reasons.

    Only the line manager named on the declaration may endorse it, and only while the
    integrity unit has not decided it; anyone else raises NotAuthorised (audited by the
    caller, as every refusal is).
    """
    declaration = get_declaration(session, reference, lock=True)
    require_no_own_interest(by, declaration, "endorse")
    if not can_endorse(by, declaration):
        raise NotAuthorised(say("casework.not_the_line_manager", who=by.display_name,
                                reference=declaration.reference))
    if LINE_MANAGER not in (declaration.approvers or []):
        raise CaseworkError(say("casework.route_needs_no_endorsement",
                                reference=declaration.reference))
    if declaration.status not in OPEN_STATUSES:
        raise CaseworkError(say("casework.endorsement_too_late", reference=declaration.reference,
                                status=declaration.status.replace("_", " ")))
    rationale = (rationale or "").strip()
    if not rationale:
        raise CaseworkError(say("casework.endorsement_needs_reason"))

    now = now or utcnow()
    outcome = ENDORSED if endorsed else NOT_ENDORSED
    previous = latest_endorsement(declaration)
    decision = Decision(outcome=outcome, rationale=rationale, stage=ENDORSEMENT,
                        decided_by_id=by.id, decided_at=now,
                        supersedes_id=previous.id if previous is not None else None)
    declaration.decisions.append(decision)
    session.flush()
    # A record waiting for the endorsement goes (back) to the integrity unit; one the unit is
    # already looking at keeps its status, and the step is still written in its history.
    to_status = (DeclarationStatus.SUBMITTED
                 if declaration.status == DeclarationStatus.AWAITING_ENDORSEMENT
                 else declaration.status)
    record_step(session, declaration, to_status, by=by, note=rationale, at=now,
                details={"decision_id": decision.id, "endorsement": outcome})
    record_event(session, actor_name(by), "declaration.endorsed", declaration.reference, {
        "decision_id": decision.id, "outcome": outcome, "rationale": rationale,
        "supersedes_decision_id": decision.supersedes_id,
    })
    return decision
