"""The append-only, tamper-evident audit log: each event carries a keyed hash of the one before.

The hash is HMAC-SHA256 under the audit key (PROBITY_HOME/audit.key), not plain SHA-256:
someone who can write to the database but not read the key cannot rewrite an event and
recompute the chain after it. Truncating the tail or deleting every event leaves a chain
that still links, so bot.store.anchor compares it with keyed checkpoints kept outside the
database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.messages import say
from bot.store.models import AuditEvent, utcnow

GENESIS = "0" * 64
#: Where a Store keeps the audit key in each session's `info`, so record_event needs no
#: settings parameter (every caller already has a session from the Store).
AUDIT_KEY = "probity.audit_key"


class AuditKeyMissing(RuntimeError):
    """A session that did not come from a Store opened with an audit key."""


def audit_key_of(session: Session) -> bytes:
    key = session.info.get(AUDIT_KEY)
    if not isinstance(key, bytes):
        raise AuditKeyMissing(say("store.no_audit_key"))
    return key
# Serialises appends on PostgreSQL so two transactions cannot both extend the same link.
_CHAIN_LOCK_ID = 0x4175_6469


def _event_body(
    prev_hash: str, at: dt.datetime, actor: str, action: str, subject: str | None,
    details: dict[str, Any],
) -> bytes:
    # Canonical JSON (sorted keys, fixed separators) so the same event always hashes the same.
    return json.dumps(
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
    ).encode()


def _event_hash(key: bytes, prev_hash: str, at: dt.datetime, actor: str, action: str,
                subject: str | None, details: dict[str, Any]) -> str:
    body = _event_body(prev_hash, at, actor, action, subject, details)
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _legacy_hash(prev_hash: str, at: dt.datetime, actor: str, action: str,
                 subject: str | None, details: dict[str, Any]) -> str:
    """The unkeyed SHA-256 chains were written with before the key (see adopt_legacy_chain)."""
    return hashlib.sha256(_event_body(prev_hash, at, actor, action, subject,
                                      details)).hexdigest()


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
    key = audit_key_of(session)
    lock_chain(session)
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    prev_hash = last.hash if last else GENESIS
    # JSON round trip: what we hash must be exactly what the database will give back.
    details = json.loads(json.dumps(details or {}, default=str))
    at = utcnow() if at is None else at.astimezone(dt.UTC)
    event = AuditEvent(
        at=at, actor=actor, action=action, subject=subject, details=details,
        prev_hash=prev_hash,
        hash=_event_hash(key, prev_hash, at, actor, action, subject, details),
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
    """What `verify_chain` found: how many events it checked, the first broken one, and the
    head (last intact event) to compare with an anchored checkpoint."""

    checked: int
    broken_event_id: int | None = None
    problem: str | None = None
    head_id: int | None = None
    head_hash: str = GENESIS
    #: The hash of each event id asked for in `remember`, as found in the chain.
    remembered: dict[int, str] | None = None

    @property
    def intact(self) -> bool:
        return self.broken_event_id is None


def verify_chain(session: Session, batch_size: int = 1000,
                 remember: frozenset[int] = frozenset()) -> ChainCheck:
    """Recompute every link in order under the audit key; stop at the first that does not
    match. `remember` names event ids whose hashes the caller wants back (a checkpoint's)."""
    key = audit_key_of(session)
    prev_hash = GENESIS
    checked = 0
    last_id = 0
    head_id: int | None = None
    found: dict[int, str] = {}

    def result(broken: int | None = None, problem: str | None = None) -> ChainCheck:
        return ChainCheck(checked, broken, problem, head_id, prev_hash, found)

    while True:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
            .limit(batch_size)
        ).all()
        if not events:
            return result()
        for event in events:
            if event.prev_hash != prev_hash:
                return result(event.id, say("audit.bad_link"))
            expected = _event_hash(key, event.prev_hash, event.at, event.actor, event.action,
                                   event.subject, event.details)
            if not hmac.compare_digest(event.hash, expected):
                return result(event.id, say("audit.bad_hash"))
            prev_hash = event.hash
            checked += 1
            last_id = head_id = event.id
            if event.id in remember:
                found[event.id] = event.hash
        session.expunge_all()


def adopt_legacy_chain(session: Session) -> int:
    """Re-hash a chain written before the audit key existed, once, if it is intact.

    Returns how many events were re-hashed (0 when the chain is already keyed or empty). A
    broken unkeyed chain is left as it is, so `audit verify` still names the break.
    """
    key = audit_key_of(session)
    lock_chain(session)
    newest = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    if newest is None:
        return 0
    if hmac.compare_digest(newest.hash, _event_hash(
            key, newest.prev_hash, newest.at, newest.actor, newest.action, newest.subject,
            newest.details)):
        return 0
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    prev = GENESIS
    for event in events:
        fields = (event.at, event.actor, event.action, event.subject, event.details)
        if event.prev_hash != prev or event.hash != _legacy_hash(prev, *fields):
            return 0
        prev = event.hash
    prev = GENESIS
    for event in events:
        event.prev_hash = prev
        event.hash = prev = _event_hash(key, prev, event.at, event.actor, event.action,
                                        event.subject, event.details)
    session.flush()
    record_event(session, "system", "audit.chain_keyed", None, {"events": len(events)})
    return len(events)
