"""Publishing a quarter's gifts register: redact or hold back entries with a reason, then
publish, keeping the published copies. Every step is audited with who took it and why."""

from __future__ import annotations

import io
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.casework.authorisation import require_integrity_officer
from bot.casework.errors import CaseworkError
from bot.casework.publication import (
    HOLD,
    REDACT,
    PublicationConfig,
    PublicEntry,
    Quarter,
    public_entries,
    render_public_html,
    write_public_csv,
)
from bot.casework.queries import get_declaration, register_date
from bot.messages import say
from bot.store.audit import record_event
from bot.store.history import actor_name
from bot.store.models import (
    Declaration,
    DeclarationKind,
    Person,
    PublicationExclusion,
    PublishedRegister,
)


def exclusions_for(session: Session, quarter: Quarter) -> dict[str, str]:
    """Reference -> REDACT or HOLD for the quarter."""
    return {reference: action for reference, action in session.execute(
        select(Declaration.reference, PublicationExclusion.action)
        .join(Declaration, Declaration.id == PublicationExclusion.declaration_id)
        .where(PublicationExclusion.quarter == quarter.label))}


def exclusion_reasons(session: Session, quarter: Quarter) -> dict[str, PublicationExclusion]:
    return {reference: exclusion for reference, exclusion in session.execute(
        select(Declaration.reference, PublicationExclusion)
        .join(Declaration, Declaration.id == PublicationExclusion.declaration_id)
        .where(PublicationExclusion.quarter == quarter.label))}


def exclude(session: Session, handlers: Iterable[str], quarter: Quarter, reference: str,
            action: str, reason: str, by: Person) -> PublicationExclusion:
    """Redact or hold back one entry of `quarter`; the reason is required and audited."""
    require_integrity_officer(by, tuple(handlers), say("casework.step_exclude_entry"))
    if action not in (REDACT, HOLD):
        raise CaseworkError(f"{action!r} is neither {REDACT} nor {HOLD}.")
    if not reason.strip():
        raise CaseworkError(say("casework.exclusion_needs_reason"))
    declaration = get_declaration(session, reference)
    if declaration.kind != DeclarationKind.GIFT_HOSPITALITY or \
            not quarter.start <= register_date(declaration) <= quarter.end:
        raise CaseworkError(say("casework.not_in_register", reference=declaration.reference,
                                quarter=quarter.label))
    found = session.scalars(select(PublicationExclusion).where(
        PublicationExclusion.quarter == quarter.label,
        PublicationExclusion.declaration_id == declaration.id)).first()
    if found is None:
        found = PublicationExclusion(quarter=quarter.label, declaration_id=declaration.id,
                                     action=action, reason=reason.strip(), by_person_id=by.id)
        session.add(found)
    found.action, found.reason, found.by_person_id = action, reason.strip(), by.id
    event = "register.entry_redacted" if action == REDACT else "register.entry_held"
    record_event(session, actor_name(by), event, declaration.reference,
                 {"quarter": quarter.label, "reason": reason.strip()})
    session.flush()
    return found


def include(session: Session, handlers: Iterable[str], quarter: Quarter, reference: str,
            by: Person) -> None:
    """Undo a redaction or hold-back: the entry is published in full again."""
    require_integrity_officer(by, tuple(handlers), say("casework.step_restore_entry"))
    declaration = get_declaration(session, reference)
    found = session.scalars(select(PublicationExclusion).where(
        PublicationExclusion.quarter == quarter.label,
        PublicationExclusion.declaration_id == declaration.id)).first()
    if found is not None:
        session.delete(found)
        record_event(session, actor_name(by), "register.entry_restored", declaration.reference,
                     {"quarter": quarter.label})


def preview(session: Session, config: PublicationConfig, quarter: Quarter
            ) -> list[PublicEntry]:
    """The quarter as it would be published, held-back entries included and marked."""
    return public_entries(session, config, quarter, exclusions_for(session, quarter),
                          include_held=True)


def publish(session: Session, handlers: Iterable[str], config: PublicationConfig,
            quarter: Quarter, by: Person | None) -> list[PublishedRegister]:
    """Publish the quarter as HTML and CSV with its exclusions applied, keep both copies,
    and audit it. `by=None` is the system (the `register publish` command)."""
    if by is not None:
        require_integrity_officer(by, tuple(handlers), say("casework.step_publish_register"))
    exclusions = exclusions_for(session, quarter)
    entries = public_entries(session, config, quarter, exclusions)
    csv_text = io.StringIO()
    write_public_csv(entries, config, csv_text)
    copies = [
        PublishedRegister(register="gifts", quarter=quarter.label, format="html",
                          content=render_public_html(entries, config, quarter),
                          entries=len(entries), by_person_id=by.id if by else None),
        PublishedRegister(register="gifts", quarter=quarter.label, format="csv",
                          content=csv_text.getvalue(), entries=len(entries),
                          by_person_id=by.id if by else None),
    ]
    session.add_all(copies)
    record_event(session, actor_name(by), "register.published", "gifts", {
        "quarter": quarter.label, "records": len(entries),
        "redacted": sorted(r for r, a in exclusions.items() if a == REDACT),
        "held": sorted(r for r, a in exclusions.items() if a == HOLD)})
    session.flush()
    return copies


def published_copies(session: Session, limit: int = 20) -> list[PublishedRegister]:
    return list(session.scalars(select(PublishedRegister).order_by(
        PublishedRegister.id.desc()).limit(limit)))
