"""The backing store's tables, as SQLAlchemy 2.0 typed models.

Money is integer pence, instants are UTC. Reports are not here: they live in the reporting
vault's own database (bot.store.vault.models), so nothing they write shares a counter,
a transaction id or a log with these tables.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.messages import say

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC instant on every backend (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(say("store.naive_datetime"))
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class DeclarationKind(StrEnum):
    GIFT_HOSPITALITY = "gift_hospitality"
    BUSINESS_INTEREST = "business_interest"
    NOTIFIABLE_ASSOCIATION = "notifiable_association"


class DeclarationStatus(StrEnum):
    SUBMITTED = "submitted"
    AWAITING_ENDORSEMENT = "awaiting_endorsement"
    INFORMATION_REQUESTED = "information_requested"
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    REFUSED = "refused"
    NOTED = "noted"
    APPEALED = "appealed"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"


class Person(Base):
    """A member of staff as a surface knows them (a Slack user, a directory entry)."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("surface", "surface_id"),
                      Index("ix_people_team", "team"))  # migration 0008

    id: Mapped[int] = mapped_column(primary_key=True)
    surface: Mapped[str] = mapped_column(String(20))
    surface_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200))
    rank_or_grade: Mapped[str | None] = mapped_column(String(100))
    #: "officer" or "staff": business-interest rules differ between them.
    staff_type: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[str | None] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    line_manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    line_manager: Mapped[Person | None] = relationship(remote_side=[id])


class Declaration(Base):
    """A filed gift/hospitality, business-interest or notifiable-association declaration.

    `answers` keeps every field the workflow collected; the typed columns beside it copy the
    few that registers and cross-checks query, so they need not parse JSON in SQL.
    """

    __tablename__ = "declarations"
    __table_args__ = (
        Index("ix_declarations_kind_status", "kind", "status"),
        # Added by migration 0006 so the console's pages and quarters filter in SQL.
        Index("ix_declarations_submitted_at", "submitted_at"),
        Index("ix_declarations_occurred_on", "occurred_on"),
        Index("ix_declarations_superseded_by_id", "superseded_by_id"),
        # Added by migration 0008 for the queue's filters and pages.
        Index("ix_declarations_status_person_submitted", "status", "person_id",
              "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40), default=DeclarationStatus.SUBMITTED)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    line_manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    workflow: Mapped[str] = mapped_column(String(80))
    workflow_version: Mapped[str | None] = mapped_column(String(40))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    summary: Mapped[str] = mapped_column(Text, default="")
    #: The approvals the route needs, e.g. ["line_manager", "psd"].
    approvers: Mapped[list[Any]] = mapped_column(default=list)
    hints: Mapped[list[Any]] = mapped_column(default=list)
    value_pence: Mapped[int | None] = mapped_column(Integer)
    counterparty_name: Mapped[str | None] = mapped_column(String(300))
    counterparty_organisation: Mapped[str | None] = mapped_column(String(300))
    counterparty_relationship: Mapped[str | None] = mapped_column(String(60))
    #: "accepted" or "declined" for gifts; None for other kinds.
    outcome: Mapped[str | None] = mapped_column(String(20))
    occurred_on: Mapped[dt.date | None] = mapped_column(Date)
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decision_due: Mapped[dt.date | None] = mapped_column(Date)
    decided_at: Mapped[dt.datetime | None]
    review_due: Mapped[dt.date | None] = mapped_column(Date)
    compliance_check_due: Mapped[dt.date | None] = mapped_column(Date)
    #: A newer declaration that replaces this one (a change of circumstances); never deleted.
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("declarations.id"))
    #: Set by surfaces that may deliver the same submission twice (Slack retries).
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    line_manager: Mapped[Person | None] = relationship(foreign_keys=[line_manager_id])
    history: Mapped[list[StatusChange]] = relationship(
        back_populates="declaration", order_by="StatusChange.id"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="declaration", order_by="Decision.id"
    )


class StatusChange(Base):
    """One step in a declaration's status history."""

    __tablename__ = "declaration_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(40))
    to_status: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str | None] = mapped_column(Text)

    declaration: Mapped[Declaration] = relationship(back_populates="history")


class Decision(Base):
    """An integrity-unit (or line-manager) decision on a declaration, with its rationale."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    #: approved, approved_with_conditions, refused, endorsed, aware_only,
    #: permitted_with_conditions, inappropriate, appeal_upheld, appeal_dismissed ...
    outcome: Mapped[str] = mapped_column(String(40))
    rationale: Mapped[str] = mapped_column(Text)
    conditions: Mapped[str | None] = mapped_column(Text)
    #: "initial", "endorsement", "appeal" or "review".
    stage: Mapped[str] = mapped_column(String(20), default="initial")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))

    declaration: Mapped[Declaration] = relationship(back_populates="decisions")
    decided_by: Mapped[Person | None] = relationship()


class Appeal(Base):
    """An appeal against a refusal: its own record, later answered by an appeal decision."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    grounds: Mapped[str] = mapped_column(Text)
    lodged_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))


class Conversation(Base):
    """A dialogue in progress, so any process can take the next turn and a restart loses nothing."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The surface's key for one person's conversation, e.g. "slack:T1:U1" or "console:alice".
    key: Mapped[str] = mapped_column(String(200), unique=True)
    workflow: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    #: Bumped by every save; a save that finds another number lost a race with another turn.
    version: Mapped[int] = mapped_column(default=0, server_default="0")


class AuditEvent(Base):
    """One link in the append-only, hash-chained audit log."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str | None] = mapped_column(String(80), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class ReferenceCounter(Base):
    """The last number handed out for one reference prefix in one year."""

    __tablename__ = "reference_counters"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Supplier(Base):
    """A supplier or bidder from the organisation's procurement list."""

    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    normalised_name: Mapped[str] = mapped_column(String(300), index=True)
    contract: Mapped[str | None] = mapped_column(String(300))
    #: e.g. "tendering", "awarded", "expired".
    status: Mapped[str | None] = mapped_column(String(40))
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class UnansweredQuestion(Base):
    """A question the policies could not answer, for the policy owners; never who asked."""

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    asked_on: Mapped[dt.date] = mapped_column(Date)


class AnswerFeedback(Base):
    """A "was this helpful?" vote on an answer, recorded without identity."""

    __tablename__ = "answer_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    document: Mapped[str | None] = mapped_column(String(300))
    section: Mapped[str | None] = mapped_column(String(300))
    helpful: Mapped[bool] = mapped_column(Boolean)
    given_on: Mapped[dt.date] = mapped_column(Date)


class ProcessedDelivery(Base):
    """A surface delivery already handled (e.g. a Slack event id), so a retry does nothing."""

    __tablename__ = "processed_deliveries"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """Work to do later or elsewhere (bot.jobs): enqueued with the change that needs it.

    A job row holds no report content and no reporter: a job about a report names its
    reference only, and none is enqueued in a reporter's own transaction (its times would
    date the act).
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_run_at", "state", "run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Which handler runs it, e.g. "slack.dm", "reminders.send".
    kind: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(20), default=JobState.QUEUED)
    #: Not before this instant (retries push it back).
    run_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    #: The worker holding it while running, and until when; after that another may take it.
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    #: Enqueuing the same key twice makes one job (a schedule's period, a Slack retry).
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    finished_at: Mapped[dt.datetime | None]
    #: About a report: kept dated to the day only, and deleted as soon as it is done.
    day_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class JobSchedule(Base):
    """A named, repeating job (e.g. "reminders" daily at 08:00 local time) and its next run."""

    __tablename__ = "job_schedules"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(80))
    #: How often, as written in settings: "every 5m", "daily 08:00", "weekly mon 07:00".
    timing: Mapped[str] = mapped_column(String(80))
    next_run_at: Mapped[dt.datetime]
    last_run_at: Mapped[dt.datetime | None]


class Notice(Base):
    """Something to tell one person (a reminder), shown by their surface and then marked.

    Held as a message key and its fields, so it is worded in the person's language when
    shown. Dated to the day only; `dedupe_key` makes each reminder once per period.
    """

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_person_delivered", "person_id", "delivered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    #: The reminder it is, e.g. "review_due_soon"; `subject` the record it is about.
    kind: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str | None] = mapped_column(String(80))
    text_key: Mapped[str] = mapped_column(String(120))
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: What the person can do from it: [{"action": "answer_request", "reference": ...}].
    actions: Mapped[list[Any]] = mapped_column(default=list)
    created_on: Mapped[dt.date] = mapped_column(Date)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    delivered_on: Mapped[dt.date | None] = mapped_column(Date)
    #: Set when the thing was done before the notice was shown: it is then never shown.
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    dedupe_key: Mapped[str | None] = mapped_column(String(240), unique=True)


class ConsoleSignInLink(Base):
    """A one-time sign-in link for the integrity unit's web console; only its hash is kept."""

    __tablename__ = "console_sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


class ConsoleSession(Base):
    """A signed-in console session: the cookie holds a random token, the row its hash.

    Revoking (sign-out) or expiry is decided here, server-side, so a stolen cookie dies
    with the row whatever the browser keeps.
    """

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    #: "link" or "oidc": how the person proved who they are.
    method: Mapped[str] = mapped_column(String(20))
    #: Sent in every form and compared with this (the synchroniser token pattern).
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    revoked_at: Mapped[dt.datetime | None]

    person: Mapped[Person] = relationship()


class CaseAssignment(Base):
    """Which handler is working a declaration or report (by its reference)."""

    __tablename__ = "case_assignments"

    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    handler_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    handler: Mapped[Person] = relationship(foreign_keys=[handler_id])


class PublicationExclusion(Base):
    """An entry of a quarter's public register redacted or held back, with the reason why."""

    __tablename__ = "publication_exclusions"
    __table_args__ = (UniqueConstraint("quarter", "declaration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The quarter as parse_quarter labels it, e.g. "2026 Q3".
    quarter: Mapped[str] = mapped_column(String(16))
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    #: "redact" (published with its free-text fields withheld) or "hold" (not published).
    action: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PublishedRegister(Base):
    """A public register as it was published, kept so any instance can serve it again."""

    __tablename__ = "published_registers"

    id: Mapped[int] = mapped_column(primary_key=True)
    register: Mapped[str] = mapped_column(String(20))
    quarter: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(10))
    content: Mapped[str] = mapped_column(Text)
    entries: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
