"""Keyed checkpoints of the audit chain, kept outside the database.

A checkpoint records how many events the chain had, the id and hash of its head, and an
HMAC-SHA256 over those under a key derived from the audit key. It is appended to each
target in PROBITY_AUDIT_ANCHOR: a file (opened append-only, never rewritten) and/or syslog,
which can forward to a SIEM the database's administrators do not control. `verify` then
catches what a chain alone cannot: the last events cut off, every event deleted, or the
chain rebuilt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.messages import say
from bot.store.audit import ChainCheck, audit_key_of, lock_chain, record_event, verify_chain
from bot.store.models import AuditEvent, utcnow

DEFAULT_ANCHOR_FILE = "audit-anchor.log"
SYSLOG = "syslog:"


@dataclass(frozen=True)
class Checkpoint:
    """The chain as it stood when the checkpoint was written."""

    at: dt.datetime
    events: int
    head_id: int | None
    head_hash: str

    def body(self) -> dict[str, object]:
        return {"at": self.at.isoformat(timespec="seconds"), "events": self.events,
                "head_id": self.head_id, "head": self.head_hash}


def _mac_key(audit_key: bytes) -> bytes:
    # Its own key, so a checkpoint line can never be passed off as an event hash.
    return hmac.new(audit_key, b"probity audit checkpoint", hashlib.sha256).digest()


def _mac(audit_key: bytes, body: dict[str, object]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hmac.new(_mac_key(audit_key), text.encode(), hashlib.sha256).hexdigest()


def anchor_targets(settings: Settings) -> list[str]:
    """Each place checkpoints go: file paths and `syslog:`/`syslog:FACILITY` entries."""
    spec = settings.audit_anchor or str(settings.home / DEFAULT_ANCHOR_FILE)
    return [part.strip() for part in spec.split(",") if part.strip()]


def anchor_files(settings: Settings) -> list[Path]:
    return [Path(target).expanduser() for target in anchor_targets(settings)
            if not target.startswith(SYSLOG)]


def write_checkpoint(session: Session, settings: Settings) -> Checkpoint:
    """Checkpoint the chain now, to every anchor target. The job runner calls this on a
    schedule; `probity audit checkpoint` on demand. Refuses a chain that is already broken,
    so a checkpoint never vouches for tampering."""
    lock_chain(session)  # no event may slip in between the check and the checkpoint
    check = verify_chain(session)
    if not check.intact:
        raise ValueError(say("audit.broken_no_checkpoint", event=check.broken_event_id))
    checkpoint = Checkpoint(utcnow().replace(microsecond=0), check.checked, check.head_id,
                            check.head_hash)
    body = checkpoint.body()
    line = json.dumps({**body, "mac": _mac(audit_key_of(session), body)}, sort_keys=True)
    for target in anchor_targets(settings):
        if target.startswith(SYSLOG):
            _to_syslog(target, line)
        else:
            _append(Path(target).expanduser(), line)
    # After writing the anchors: the event itself is then covered by the next checkpoint.
    record_event(session, "system", "audit.checkpointed", None,
                 {"events": checkpoint.events, "head_id": checkpoint.head_id})
    return checkpoint


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # O_APPEND: every write lands at the end, whoever else has the file open; nothing here
    # ever truncates or rewrites it (an operator may also `chattr +a` it).
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, (line + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _to_syslog(target: str, line: str) -> None:
    import syslog

    facility_name = target[len(SYSLOG):].strip().upper() or "AUTH"
    facility = getattr(syslog, f"LOG_{facility_name}", syslog.LOG_AUTH)
    syslog.openlog("probity-audit", 0, facility)
    syslog.syslog(syslog.LOG_NOTICE, line)


def latest_checkpoint(settings: Settings, audit_key: bytes) -> tuple[Checkpoint | None, int]:
    """The newest checkpoint with a good MAC in the anchor files, and how many lines had a
    bad one (a forged or damaged line is counted, never believed)."""
    newest: Checkpoint | None = None
    bad = 0
    for path in anchor_files(settings):
        if not path.exists():
            continue
        for raw in path.read_text(errors="replace").splitlines():
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
                mac = entry.pop("mac")
                good = hmac.compare_digest(mac, _mac(audit_key, entry))
                found = Checkpoint(dt.datetime.fromisoformat(entry["at"]), int(entry["events"]),
                                   entry["head_id"], entry["head"])
            except (ValueError, KeyError, TypeError, AttributeError):
                good = False
            if not good:
                bad += 1
                continue
            if newest is None or (found.events, found.at) >= (newest.events, newest.at):
                newest = found
    return newest, bad


@dataclass(frozen=True)
class AnchoredCheck:
    """The chain's own check and what the latest checkpoint says about it."""

    chain: ChainCheck
    checkpoint: Checkpoint | None
    #: Why the chain does not match the checkpoint; None when it does (or none exists).
    mismatch: str | None
    bad_lines: int = 0

    @property
    def intact(self) -> bool:
        return self.chain.intact and self.mismatch is None


def verify_anchored(session: Session, settings: Settings) -> AnchoredCheck:
    """The chain recomputed, then compared with the newest checkpoint."""
    checkpoint, bad = latest_checkpoint(settings, audit_key_of(session))
    remember = frozenset({checkpoint.head_id}) if checkpoint and checkpoint.head_id else (
        frozenset())
    chain = verify_chain(session, remember=remember)
    if checkpoint is None or not chain.intact:
        return AnchoredCheck(chain, checkpoint, None, bad)
    total = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    mismatch = None
    if total == 0 and checkpoint.events > 0:
        mismatch = say("audit.all_deleted", events=checkpoint.events)
    elif checkpoint.head_id is not None and checkpoint.head_id not in (chain.remembered or {}):
        mismatch = say("audit.truncated", events=checkpoint.events, head=checkpoint.head_id,
                       now=total)
    elif checkpoint.head_id is not None and not hmac.compare_digest(
            (chain.remembered or {})[checkpoint.head_id], checkpoint.head_hash):
        mismatch = say("audit.rechained", head=checkpoint.head_id)
    elif total < checkpoint.events:
        mismatch = say("audit.truncated", events=checkpoint.events, head=checkpoint.head_id,
                       now=total)
    return AnchoredCheck(chain, checkpoint, mismatch, bad)
