"""The append-only, tamper-evident audit log: each event carries the hash of the one before."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.store.models import AuditEvent, utcnow

GENESIS = "0" * 64
# Serialises appends on PostgreSQL so two transactions cannot both extend the same link.
_CHAIN_LOCK_ID = 0x4175_6469


def _event_hash(
    prev_hash: str, at: dt.datetime, actor: str, action: str, subject: str | None,
    details: dict[str, Any],
) -> str:
    # Canonical JSON (sorted keys, fixed separators) so the same event always hashes the same.
    body = json.dumps(
        {
            "prev": prev_hash,
            "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "subject": subject,
            "details": details,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record_event(
    session: Session,
    actor: str,
    action: str,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
    *,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Append an event in the caller's transaction, so it commits with the change it records.

    `actor` names who acted ("person:12", "system", "anonymous reporter"); never put report
    content, receipts or an anonymous reporter's identity in any field. `at` defaults to now;
    a caller may give a coarser moment (reporter-side events carry only their day), and the
    hash covers whatever is stored, so the chain verifies the same way.
    """
    lock_chain(session)
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    prev_hash = last.hash if last else GENESIS
    # JSON round trip: what we hash must be exactly what the database will give back.
    details = json.loads(json.dumps(details or {}, default=str))
    at = utcnow() if at is None else at.astimezone(dt.UTC)
    event = AuditEvent(
        at=at, actor=actor, action=action, subject=subject, details=details,
        prev_hash=prev_hash,
        hash=_event_hash(prev_hash, at, actor, action, subject, details),
    )
    session.add(event)
    session.flush()
    return event


def lock_chain(session: Session) -> None:
    """Hold the chain's append lock until the transaction ends (PostgreSQL; SQLite locks the
    whole database on write anyway), for callers that read the log before appending to it."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _CHAIN_LOCK_ID})


@dataclass(frozen=True)
class ChainCheck:
    """What `verify_chain` found: how many events it checked, and the first broken one."""

    checked: int
    broken_event_id: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_event_id is None


def verify_chain(session: Session, batch_size: int = 1000) -> ChainCheck:
    """Recompute every link in order; stop at the first event that does not match."""
    prev_hash = GENESIS
    checked = 0
    last_id = 0
    while True:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
            .limit(batch_size)
        ).all()
        if not events:
            return ChainCheck(checked)
        for event in events:
            if event.prev_hash != prev_hash:
                return ChainCheck(checked, event.id, "its link to the previous event is wrong "
                                  "(an event before it was removed or inserted)")
            expected = _event_hash(event.prev_hash, event.at, event.actor, event.action,
                                   event.subject, event.details)
            if event.hash != expected:
                return ChainCheck(checked, event.id, "its content was changed after it was written")
            prev_hash = event.hash
            checked += 1
            last_id = event.id
        session.expunge_all()
