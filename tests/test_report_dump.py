"""A dump of both databases holds none of a report's words: every column of every table of
the vault and of the main store (audit_events included) is read raw and searched, and so is
every file waiting in the spool."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from test_report_support import HANDLER_KEY, FakeClock, announce, next_batch, reporting_context

from bot.config import Settings
from bot.reporting import (
    ConfidentialReporter,
    ReportContent,
    add_reporter_message,
    authorise_handler,
    change_status,
    due_notifications,
    open_report,
    read_report,
    reply,
    submit_anonymous_report,
    submit_confidential_report,
)
from bot.reporting.categories import listed_category
from bot.store import Store
from bot.store.models import Base
from bot.store.vault.models import Report, VaultBase
from bot.turns import Speaker

# Distinctive words, none of which is also a status, mode, kind or author name.
CONTENT = ReportContent(
    category="Overtime fiddling at Westbrook",  # the reporter's own words, not a listed one
    what_happened="Inspector Marlowe signs overtime claims for shifts nobody worked.",
    when_and_where="Westbrook depot, every Friday since Christmas",
    who_is_involved="Marlowe and Quigley",
    evidence="Photocopies of timesheets in my locker",
    raised_elsewhere="Mentioned to Federation rep Ashworth",
)
HANDLER_TEXT = "Thankyou. Could you describe the timesheets further?"
REPORTER_TEXT = "Handwritten, initialled twice, dated Thursdays"
OUTCOME = "Misconduct proceedings began; claims recovered from payroll."
WHISTLEBLOWER = ConfidentialReporter("console", "pfitzgerald", "Patricia Fitzgerald",
                                     note="Prefers meetings offsite at Greenhill")


def _words(*texts: str) -> set[str]:
    return {word.casefold() for text in texts for word in re.findall(r"[A-Za-z]{5,}", text)}


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


@pytest.mark.parametrize("confidential", [False, True])
def test_a_dump_of_every_reporting_column_holds_none_of_the_reports_words(
    store: Store, settings: Settings, confidential: bool
) -> None:
    clock = FakeClock()
    context = reporting_context(settings, clock)
    with store.transaction() as session:
        if confidential:
            submission = submit_confidential_report(session, context, CONTENT, WHISTLEBLOWER)
        else:
            submission = submit_anonymous_report(session, context, CONTENT)
        reference, receipt = submission.reference, submission.receipt
        handler = authorise_handler(session, context, Speaker("console", HANDLER_KEY, "DS W"),
                                    "test")
        assert handler is not None
    announce(store, context, clock)
    with store.transaction() as session:
        reply(session, context, handler, reference, HANDLER_TEXT, kind="question")
        add_reporter_message(session, context, reference, receipt, REPORTER_TEXT, kind="answer")
        open_report(session, context, reference, "9" * 20)  # a failure row too
    spooled = b"".join(path.read_bytes() for path in context.spool.directory.iterdir())
    next_batch(store, context, clock)
    with store.transaction() as session:
        read_report(session, context, handler, reference)
        change_status(session, context, handler, reference, "closed", outcome=OUTCOME)
    next_batch(store, context, clock)
    with store.transaction() as session:
        due_notifications(session, context)  # the daily audit of reporter-side events

    secret_words = _words(*(value for value in vars(CONTENT).values() if value),
                          HANDLER_TEXT, REPORTER_TEXT, OUTCOME,
                          # Not its surface ("console"): handlers use it too, in clear.
                          *((WHISTLEBLOWER.surface_id, WHISTLEBLOWER.display_name,
                             WHISTLEBLOWER.note or "") if confidential else ()))
    found = [f"spool: {word}" for word in secret_words
             if word in spooled.decode("latin-1").casefold()]
    rows_seen = 0
    for engine, metadata in ((store.engine, Base.metadata),
                             (store.vault_engine, VaultBase.metadata)):
        assert engine is not None
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                for row in connection.execute(table.select()):
                    rows_seen += 1
                    for column, value in zip(table.columns, row, strict=True):
                        text = _as_text(value).casefold()
                        found += [f"{table.name}.{column.name}: {word}"
                                  for word in secret_words if word in text]
    with store.session() as session:
        report = session.scalars(select(Report)).one()
    assert rows_seen > 5
    assert found == []
    # Listed as "other": the reporter's wording is not one of the workflow's categories.
    assert report.category == "other"
    # Yet everything is still there for those who hold the key.
    with store.transaction() as session:
        view = read_report(session, context, handler, reference)
    assert view.content.category == CONTENT.category and view.outcome == OUTCOME


def test_only_the_workflows_own_categories_are_listed_in_clear(
    store: Store, settings: Settings
) -> None:
    assert listed_category(reporting_context(settings, FakeClock()).categories,
                           "corruption") == "corruption"
    context = reporting_context(settings, FakeClock())
    assert listed_category(context.categories, "corruption") == "corruption"
    assert listed_category(context.categories, "  Corruption or  BRIBERY ") == "corruption"
    assert listed_category(context.categories, "Sgt Blue's corruption") == "other"
    content = ReportContent(category="Misuse of police systems or information",
                            what_happened="Looked up a neighbour.", when_and_where="Eastgate")
    clock = FakeClock()
    context = reporting_context(settings, clock)
    with store.transaction() as session:
        submission = submit_anonymous_report(session, context, content)
    next_batch(store, context, clock)
    with store.transaction() as session:
        view = open_report(session, context, submission.reference, submission.receipt)
        stored = session.scalars(select(Report.category)).one()
    assert stored == "misuse_of_systems"
    assert view.category == "Misuse of police systems or information"  # type: ignore[union-attr]
