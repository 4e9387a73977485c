"""Reading and writing a report's sealed parts, shared by the reporter's and handlers' sides."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.messages import say
from bot.reporting.context import ReportingContext
from bot.reporting.records import (
    MAX_TEXT,
    ConfidentialReporter,
    ReportClosed,
    ReportContent,
    ThreadEntry,
)
from bot.store.models import Person
from bot.store.vault.models import Report, ReportMessage, ReportStatus

REPORTER = "reporter"
HANDLER = "handler"
#: How handlers appear to a reporter: as the unit, never as a named colleague.
UNIT = "integrity unit"


def content_purpose(reference: str) -> str:
    return f"{reference}/content"


def identity_purpose(reference: str) -> str:
    return f"{reference}/identity"


def outcome_purpose(reference: str) -> str:
    return f"{reference}/outcome"


def message_purpose(reference: str) -> str:
    return f"{reference}/message"


def find_report(session: Session, reference: str, *, for_update: bool = False) -> Report | None:
    query = select(Report).where(Report.reference == reference)
    if for_update:
        # Refresh a row already loaded in this session: after waiting for the lock, the
        # stale copy could say "not yet notified" when another process has just done it.
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


def removed() -> str:
    """Shown in place of what a report said once retention has removed it."""
    return say("reporting.removed")


def open_content(context: ReportingContext, reference: str, category: str,
                 sealed: bytes) -> ReportContent:
    if not sealed:  # purged (bot.reporting.retention)
        return ReportContent(category=category, what_happened=removed(),
                             when_and_where=removed())
    text = context.sealer.open(sealed, content_purpose(reference))
    return ReportContent.from_sealed_form(category, text)


def content_of(context: ReportingContext, report: Report) -> ReportContent:
    return open_content(context, report.reference, report.category, report.sealed_content)


def identity_of(context: ReportingContext, report: Report) -> ConfidentialReporter | None:
    if report.sealed_identity is None:
        return None
    text = context.sealer.open(report.sealed_identity, identity_purpose(report.reference))
    return ConfidentialReporter.from_sealed_form(text)


def outcome_of(context: ReportingContext, report: Report) -> str | None:
    if report.sealed_outcome is None:
        return None
    return context.sealer.open(report.sealed_outcome, outcome_purpose(report.reference))


def thread_of(
    session: Session, context: ReportingContext, report: Report, *, name_handlers: bool
) -> tuple[ThreadEntry, ...]:
    """The thread in order; handlers see which colleague wrote, reporters see the unit."""
    names: dict[int, str] = {}
    entries = []
    for message in report.messages:
        author = REPORTER
        if message.author == HANDLER:
            author = UNIT
            if name_handlers and message.handler_id is not None:
                if message.handler_id not in names:
                    person = session.get(Person, message.handler_id)
                    names[message.handler_id] = person.display_name if person else UNIT
                author = names[message.handler_id]
        text = context.sealer.open(message.sealed_body, message_purpose(report.reference))
        entries.append(ThreadEntry(author, message.kind, text, message.created_on))
    return tuple(entries)


def checked_text(text: str) -> str:
    """A thread message as it will be kept, or ValueError saying what is wrong with it."""
    text = text.strip()
    if not text:
        raise ValueError(say("reporting.message_empty"))
    if len(text) > MAX_TEXT:
        raise ValueError(say("reporting.message_too_long", limit=MAX_TEXT))
    return text


def add_message(
    session: Session, context: ReportingContext, report: Report, *, author: str, kind: str,
    text: str, handler_id: int | None = None,
) -> ReportMessage:
    """Append a sealed handler message now (a reporter's goes through the spool); a closed
    report takes none (status notes excepted)."""
    if report.status == ReportStatus.CLOSED and kind != "status":
        raise ReportClosed(report.reference)
    text = checked_text(text)
    message = ReportMessage(
        report=report, author=author, kind=kind, handler_id=handler_id,
        sealed_body=context.sealer.seal(text, message_purpose(report.reference)),
        created_on=context.today(), position=next_position(session, report),
    )
    session.add(message)
    session.flush()
    return message


def next_position(session: Session, report: Report) -> int:
    """The place after every message the report has, in the order threads are shown."""
    highest = session.scalar(select(func.max(ReportMessage.position)).where(
        ReportMessage.report_id == report.id))
    return (highest or 0) + 1
