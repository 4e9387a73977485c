"""The vault's tables: reports, their threads, failed receipt checks, and batch bookkeeping.

They live in their own database (bot.store.vault.location) so no counter, sequence,
transaction id or log is shared with declarations. Nothing here holds a time finer than the
day. Ids are random, not sequences: a sequence would number reports in the order they came.
"""

from __future__ import annotations

import datetime as dt
import secrets
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.store.models import NAMING

#: Random ids stay below 2**62 so every backend's signed 64-bit integer holds them.
_ID_SPACE = 2**62
#: On SQLite only "INTEGER PRIMARY KEY" is the rowid itself; any other type gets a hidden
#: rowid counting up in insertion order, which is exactly the order the ids must not show.
RandomId = BigInteger().with_variant(Integer(), "sqlite")


def random_id() -> int:
    return secrets.randbelow(_ID_SPACE - 1) + 1


class VaultBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ReportMode(StrEnum):
    ANONYMOUS = "anonymous"
    CONFIDENTIAL = "confidential"


class ReportStatus(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    ASSESSING = "assessing"
    INVESTIGATING = "investigating"
    CLOSED = "closed"


class Report(VaultBase):
    """A report of wrongdoing. Content is sealed; only the receipt's slow hash is kept.

    Deliberately no person id, surface id or submission time: the date alone is stored, and
    a confidential reporter's identity is itself sealed.
    """

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False,
                                    default=random_id)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    mode: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.RECEIVED)
    receipt_hash: Mapped[str] = mapped_column(String(200))
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_identity: Mapped[bytes | None] = mapped_column(LargeBinary)
    received_on: Mapped[dt.date] = mapped_column(Date)
    acknowledge_due: Mapped[dt.date] = mapped_column(Date)
    feedback_due: Mapped[dt.date] = mapped_column(Date)
    acknowledged_on: Mapped[dt.date | None] = mapped_column(Date)
    first_feedback_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    sealed_outcome: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: The day it was made, set by the batch that brings it (a later day): from then on
    #: handlers may be told. Only ever a date; there is no other notice delay to keep.
    notify_after: Mapped[dt.date | None] = mapped_column(Date)
    handlers_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)

    messages: Mapped[list[ReportMessage]] = relationship(
        back_populates="report",
        order_by=lambda: [ReportMessage.created_on, ReportMessage.position],
    )
    attachments: Mapped[list[ReportAttachment]] = relationship(
        back_populates="report", order_by=lambda: ReportAttachment.n)


class ReportMessage(VaultBase):
    """A sealed message in a report's two-way thread (reporter <-> handlers).

    `position` orders a thread within a day. A reporter's messages reach the vault in the
    next day's batch, so within one day they follow the handlers' messages of that day:
    their real order against handlers' timed actions is exactly what must not be kept.
    """

    __tablename__ = "report_messages"

    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False,
                                    default=random_id)
    report_id: Mapped[int] = mapped_column(RandomId, ForeignKey("reports.id"), index=True)
    #: "reporter" or "handler"; a handler is named, a reporter never is.
    author: Mapped[str] = mapped_column(String(20))
    #: The main store's person id (another database, so no foreign key).
    handler_id: Mapped[int | None] = mapped_column(Integer)
    #: "message", "question", "answer" or "status".
    kind: Mapped[str] = mapped_column(String(20), default="message")
    sealed_body: Mapped[bytes] = mapped_column(LargeBinary)
    created_on: Mapped[dt.date] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)

    report: Mapped[Report] = relationship(back_populates="messages")


class ReportAttachment(VaultBase):
    """A file a reporter sent with a report (bot.reporting.attachments): its metadata was
    stripped before sealing, and its name, type and what was removed are sealed with it.
    `n` numbers a report's attachments; like every reporter write it arrives by the batch."""

    __tablename__ = "report_attachments"

    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False,
                                    default=random_id)
    report_id: Mapped[int] = mapped_column(RandomId, ForeignKey("reports.id"), index=True)
    n: Mapped[int] = mapped_column(Integer)
    sealed_meta: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_body: Mapped[bytes] = mapped_column(LargeBinary)
    added_on: Mapped[dt.date] = mapped_column(Date)

    report: Mapped[Report] = relationship(back_populates="attachments")


class ReceiptFailure(VaultBase):
    """Failed receipt checks on one day, counted for the audit log; no time, no sender, and
    never what was typed. `reference` only when it names a real report."""

    __tablename__ = "receipt_failures"

    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False,
                                    default=random_id)
    reference: Mapped[str | None] = mapped_column(String(32), index=True)
    on: Mapped[dt.date] = mapped_column(Date, index=True)
    count: Mapped[int] = mapped_column(Integer, default=1)


class AppliedEntry(VaultBase):
    """A spooled write already applied, so a batch interrupted after its commit is not
    applied twice; the id is the spool file's random name, which says nothing of time."""

    __tablename__ = "applied_entries"

    entry_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class Padding(VaultBase):
    """Filler rows each batch writes and the next removes, so a batch looks alike whether
    it carried reports, messages or nothing at all."""

    __tablename__ = "padding"

    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False,
                                    default=random_id)
    filler: Mapped[bytes] = mapped_column(LargeBinary)


class BatchRun(VaultBase):
    """The day the last batch ran (one row), so the daily batch runs once a day."""

    __tablename__ = "batch_runs"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)


class VaultSchema(VaultBase):
    """The vault's schema version (see bot.store.vault.schema)."""

    __tablename__ = "vault_schema"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
