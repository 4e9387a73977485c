"""Re-sealing every sealed report value under a new key, in one transaction.

Around it, `stage_new_key` and `promote_new_key` move the key files in an order that leaves
every row readable by the keys on disk if the rotation is interrupted at any point.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.reporting.attachments import attachment_meta_purpose, attachment_purpose
from bot.reporting.sealing import (
    KEY_FILE_NAME,
    NEW_KEY_FILE_NAME,
    Sealer,
    generate_key,
    read_key_file,
)
from bot.reporting.threads import (
    content_purpose,
    identity_purpose,
    message_purpose,
    outcome_purpose,
)
from bot.reporting.vault.spool import Spool
from bot.store.audit import record_event
from bot.store.keyfiles import write_key_file
from bot.store.vault.models import Report


@dataclass(frozen=True)
class Rotation:
    old_key_id: str
    new_key_id: str
    values: int


def reseal_all(session: Session, current: Sealer, new: Sealer,
               spool: Spool | None = None) -> Rotation:
    """Open every sealed value with `current` and seal it again with `new`, the writes
    waiting in `spool` included (they are opened with its own sealer)."""
    count = spool.reseal(new) if spool is not None else 0

    def reseal(sealed: bytes | None, purpose: str) -> bytes | None:
        nonlocal count
        if not sealed:  # None, or content removed by retention (an empty value)
            return sealed
        count += 1
        return new.seal(current.open(sealed, purpose), purpose)

    for report in session.scalars(select(Report).order_by(Report.id).with_for_update()):
        ref = report.reference
        report.sealed_content = reseal(report.sealed_content, content_purpose(ref))  # type: ignore[assignment]
        report.sealed_identity = reseal(report.sealed_identity, identity_purpose(ref))
        report.sealed_outcome = reseal(report.sealed_outcome, outcome_purpose(ref))
        for message in report.messages:
            message.sealed_body = reseal(message.sealed_body, message_purpose(ref))  # type: ignore[assignment]
        for attachment in report.attachments:
            attachment.sealed_meta = reseal(attachment.sealed_meta,  # type: ignore[assignment]
                                            attachment_meta_purpose(ref, attachment.n))
            attachment.sealed_body = reseal(attachment.sealed_body,  # type: ignore[assignment]
                                            attachment_purpose(ref, attachment.n))
    session.flush()
    rotation = Rotation(current.key_id, new.key_id, count)
    record_event(session, "operator", "reports.key_rotated", None,
                 {"from_key": rotation.old_key_id, "to_key": rotation.new_key_id,
                  "values": count})
    return rotation


def stage_new_key(home: Path) -> bytes:
    """The key a rotation moves to, written to report.key.new before any row changes.

    If a previous rotation was interrupted, its staged key is reused: rows may already be
    sealed under it.
    """
    path = home / NEW_KEY_FILE_NAME
    if path.exists():
        return read_key_file(path)
    key = generate_key()
    write_key_file(path, key)
    return key


def promote_new_key(home: Path, now: dt.datetime) -> Path:
    """After the re-sealed rows commit: retire report.key, and make report.key.new current.

    The old key is renamed, not deleted: database backups taken before the rotation need it.
    """
    retired = home / f"{KEY_FILE_NAME}.retired-{now:%Y%m%dT%H%M%SZ}"
    current = home / KEY_FILE_NAME
    # Link first, then atomically replace: at no moment is there no report.key, which would
    # make the next start-up create a fresh (wrong) key.
    if current.exists():
        os.link(current, retired)
    os.replace(home / NEW_KEY_FILE_NAME, current)
    return retired
