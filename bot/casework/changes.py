"""A change of circumstances: a new declaration replaces the old one and reopens review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from bot.casework.authorisation import require_declarant_or_officer
from bot.casework.errors import CaseworkError
from bot.casework.queries import CLOSED_STATUSES, get_declaration
from bot.casework.rules import CaseworkRules
from bot.casework.steps import record_step
from bot.messages import say
from bot.store.audit import record_event
from bot.store.history import actor_name
from bot.store.models import Declaration, DeclarationKind, DeclarationStatus, Person, utcnow
from bot.store.references import ReferenceKind, allocate_reference

_PREFIX = {
    DeclarationKind.GIFT_HOSPITALITY: ReferenceKind.GIFT_HOSPITALITY,
    DeclarationKind.BUSINESS_INTEREST: ReferenceKind.BUSINESS_INTEREST,
    DeclarationKind.NOTIFIABLE_ASSOCIATION: ReferenceKind.NOTIFIABLE_ASSOCIATION,
}
#: Typed columns a change may set directly; anything else goes into the answers bag.
_TYPED = ("value_pence", "counterparty_name", "counterparty_organisation",
          "counterparty_relationship", "outcome", "occurred_on", "summary")
_COPIED = ("kind", "person_id", "line_manager_id", "workflow", "workflow_version", "summary",
           "approvers", "hints", *_TYPED)


def record_change_of_circumstances(
    session: Session,
    rules: CaseworkRules,
    reference: str,
    description: str,
    by: Person,
    changes: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Declaration:
    """File a new declaration carrying the change, and mark the old one superseded by it.

    Nothing is deleted: the old record keeps its decisions and points at its replacement,
    and the new one waits for a review decision like any undecided declaration.
    """
    old = get_declaration(session, reference, lock=True)
    require_declarant_or_officer(by, old, rules.handlers, say("casework.step_record_change"))
    description = (description or "").strip()
    if not description:
        raise CaseworkError(say("casework.change_needs_description"))
    if old.status in CLOSED_STATUSES:
        raise CaseworkError(say("casework.change_on_closed", reference=old.reference,
                                status=old.status))
    now = now or utcnow()
    new = Declaration(**{name: getattr(old, name) for name in _COPIED})
    answers = dict(old.answers or {})
    for key, value in (changes or {}).items():
        if key in _TYPED:
            setattr(new, key, value)
        else:
            answers[key] = value
    answers["change_of_circumstances"] = description
    new.answers = answers
    new.submitted_at = now
    new.decision_due = rules.local_date(now) + dt.timedelta(days=rules.decision_target_days)
    new.reference = allocate_reference(session, _PREFIX[DeclarationKind(old.kind)],
                                       rules.local_date(now).year)
    new.status = DeclarationStatus.SUBMITTED
    session.add(new)
    session.flush()
    record_step(session, new, DeclarationStatus.SUBMITTED, by=by, note=description, at=now,
                details={"replaces": old.reference})
    old.superseded_by_id = new.id
    record_step(session, old, DeclarationStatus.SUPERSEDED, by=by, at=now,
                note=say("casework.change_superseded_note", reference=new.reference,
                         description=description),
                details={"superseded_by": new.reference})
    record_event(session, actor_name(by), "declaration.changed_circumstances", old.reference,
                 {"new_reference": new.reference, "changed": sorted((changes or {}).keys())})
    return new
