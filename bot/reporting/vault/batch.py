"""The daily batch: reporters' waiting writes go into the vault together, in random order.

`apply_reporter_batch` takes every spooled write from days that have ended, shuffles them,
writes them in one vault transaction with a random number of padding rows (so a batch with
nothing real in it looks like one with a report), then has the database rewrite its pages
(VACUUM; on SQLite also a WAL checkpoint that empties the log), so dead row versions and the
log do not keep the order of earlier states. Every row it writes gets the same transaction
id and the batch's moment, which is random and says only "some time before today".

`batch_moment` is the day's random moment, the same in every process (a keyed hash of the
date); `apply_batch_if_due` is what a schedule calls every few minutes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import random
from dataclasses import dataclass

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from bot.reporting.context import ReportingContext
from bot.reporting.deadlines import acknowledge_due, feedback_due
from bot.reporting.threads import REPORTER, find_report, next_position
from bot.reporting.vault.spool import (
    ATTACHMENT,
    FAILURE,
    MESSAGE,
    REVEAL,
    SUBMISSION,
    SpoolEntry,
)
from bot.store import Store
from bot.store.vault.models import (
    AppliedEntry,
    BatchRun,
    Padding,
    ReceiptFailure,
    Report,
    ReportAttachment,
    ReportMessage,
    ReportMode,
    VaultBase,
)

#: Reports exist before anything is added to them; failures last (they name reports).
_PHASE = {SUBMISSION: 0, REVEAL: 1, MESSAGE: 2, ATTACHMENT: 2, FAILURE: 3}
#: Padding rows per batch: a random number in this range, each of random length.
PADDING_ROWS = (2, 24)
PADDING_BYTES = (48, 600)


@dataclass(frozen=True)
class BatchResult:
    """What one batch wrote (real writes never leave this process: no log, no audit count)."""

    applied: int
    padding: int
    left_waiting: int


def apply_reporter_batch(store: Store, context: ReportingContext, rng: random.Random,
                         today: dt.date) -> BatchResult:
    """Write every spooled write from before `today` into the vault, then vacuum it."""
    spool = context.spool
    entries = spool.entries()
    due = [entry for entry in entries if entry.day < today]
    with store.transaction() as session:
        done = set(session.scalars(select(AppliedEntry.entry_id)))
        # Entries whose files are gone were applied by an earlier batch: forget their ids.
        present = {entry.entry_id for entry in entries}
        session.execute(delete(AppliedEntry).where(AppliedEntry.entry_id.not_in(present)))
        todo = [entry for entry in due if entry.entry_id not in done]
        rng.shuffle(todo)
        # Only the dependencies are kept in order; everything else stays shuffled.
        todo.sort(key=lambda e: (_PHASE[e.kind], e.reference or "", int(e.body.get("n", 0)))
                  if e.kind in (REVEAL, MESSAGE) else (_PHASE[e.kind],))
        for entry in todo:
            _apply(session, context, entry, today)
            session.add(AppliedEntry(entry_id=entry.entry_id))
        padding = _pad(session, rng)
        session.execute(delete(BatchRun))
        session.add(BatchRun(day=today))
    spool.remove(entry.entry_id for entry in due)
    compact(store)
    return BatchResult(len(todo), padding, len(entries) - len(due))


def _apply(session: Session, context: ReportingContext, entry: SpoolEntry,
           today: dt.date) -> None:
    body = entry.body
    if entry.kind == SUBMISSION:
        if find_report(session, entry.reference or "") is not None:
            return
        session.add(Report(
            reference=entry.reference, mode=body["mode"], category=body["category"],
            receipt_hash=body["receipt_hash"], sealed_content=_bytes(body["sealed_content"]),
            sealed_identity=_bytes(body["sealed_identity"]) if body["sealed_identity"] else None,
            received_on=entry.day, acknowledge_due=acknowledge_due(entry.day),
            feedback_due=feedback_due(entry.day), notify_after=entry.day,
            handlers_notified=False, idempotency_key=body.get("idempotency_key")))
        session.flush()
        return
    if entry.kind == FAILURE:
        row = session.scalars(select(ReceiptFailure).where(
            ReceiptFailure.reference.is_(None) if entry.reference is None
            else ReceiptFailure.reference == entry.reference,
            ReceiptFailure.on == entry.day)).first()
        if row is None:
            session.add(ReceiptFailure(reference=entry.reference, on=entry.day, count=1))
        else:
            row.count += 1
        session.flush()
        return
    report = find_report(session, entry.reference or "")
    if report is None or not report.sealed_content:  # purged meanwhile: nothing to add to
        return
    if entry.kind == ATTACHMENT:
        session.add(ReportAttachment(report=report, n=int(body["n"]),
                                     sealed_meta=_bytes(body["sealed_meta"]),
                                     sealed_body=_bytes(body["sealed_body"]),
                                     added_on=entry.day))
        session.flush()
        return
    if entry.kind == REVEAL:
        report.sealed_identity = _bytes(body["sealed_identity"])
        report.mode = ReportMode.CONFIDENTIAL
        sealed, kind = _bytes(body["sealed_note"]), "status"
    else:
        sealed, kind = _bytes(body["sealed_body"]), body["kind"]
    session.add(ReportMessage(report=report, author=REPORTER, kind=kind, sealed_body=sealed,
                              created_on=entry.day, position=next_position(session, report)))
    session.flush()


def _pad(session: Session, rng: random.Random) -> int:
    session.execute(delete(Padding))
    count = rng.randint(*PADDING_ROWS)
    for _ in range(count):
        session.add(Padding(id=rng.getrandbits(62) or 1,
                            filler=rng.randbytes(rng.randint(*PADDING_BYTES))))
    return count


def compact(store: Store) -> None:
    """Have the vault rewrite itself so no dead row version or log frame keeps history."""
    engine = store.vault_engine
    assert engine is not None
    if engine.dialect.name == "sqlite":
        # Probity's SQLite connections run in autocommit mode (bot.store.database), which
        # VACUUM needs; the checkpoint then empties the WAL that held the batch's frames.
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()
        finally:
            raw.close()
        return
    tables = ", ".join(f'"{table.name}"' for table in VaultBase.metadata.sorted_tables)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM FULL {tables}"))


def batch_moment(context: ReportingContext, day: dt.date) -> dt.datetime:
    """The day's batch moment: up to `batch_window_minutes` after local midnight, drawn from
    a keyed hash of the date so every process agrees and nobody without the key can tell."""
    digest = hmac.new(context.sealer.digest("batch moment").encode(), day.isoformat().encode(),
                      hashlib.sha256).digest()
    seconds = int.from_bytes(digest[:8], "big") % (context.batch_window_minutes * 60 + 1)
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=context.zone)
    return (midnight + dt.timedelta(seconds=seconds)).astimezone(dt.UTC)


def waiting_before(context: ReportingContext, today: dt.date) -> bool:
    """Whether any write from before `today` waits (by file dates: nothing is opened)."""
    return any(day < today for day in context.spool.days_waiting())


def apply_batch_if_due(store: Store, context: ReportingContext,
                       rng: random.Random | None = None) -> BatchResult | None:
    """Apply the batch if today's moment has passed and writes from earlier days wait; the
    schedule calls this every few minutes. None when there was nothing to do yet."""
    today = context.today()
    if context.now() < batch_moment(context, today):
        return None
    with store.session() as session:
        last = session.scalar(select(BatchRun.day))
    # Once a day even with nothing waiting: a batch that ran only when a reporter had acted
    # would itself say so.
    if last is not None and last >= today and not waiting_before(context, today):
        return None
    return apply_reporter_batch(store, context, rng or random.SystemRandom(), today)


def _bytes(value: str) -> bytes:
    return base64.b64decode(value)
