"""Anonymity by test: a report and its follow-up through `probity chat`, then a search of
every table, the log output and the audit log for anything that could identify the reporter.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import logging
import random
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.app import build_assistant
from bot.assistant import Assistant
from bot.config import PROJECT_ROOT, Settings
from bot.directory import load_directory, sync_people
from bot.reporting import (
    ReportingContext,
    authorise_handler,
    due_notifications,
    read_report,
    reply,
)
from bot.reporting.vault.batch import apply_reporter_batch
from bot.store import Store
from bot.store.models import AuditEvent, Base, Person
from bot.store.vault.models import ReceiptFailure, Report, ReportMessage, VaultBase
from bot.surfaces.console import ConsoleChat
from bot.turns import Speaker

REPORTER = "amira.khan"
HANDLER = "owen.price"
WHAT_HAPPENED = "Sgt Blue checked his neighbour's address on the PNC for a parking dispute."
ANSWER = "It was Tuesday 24 February, about 3pm."


class NoPolicies:
    """Answers nothing: these tests are about reporting, not policy search."""

    def answer(self, question: str) -> Any:
        raise AssertionError(f"no policy question expected here: {question!r}")


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    folder = tmp_path / "workflows"
    folder.mkdir()
    shutil.copy(PROJECT_ROOT / "workflows" / "report.yaml", folder)
    # No notification delay: these tests are about identity, not timing (test_report_service
    # and test_report_timing cover the delay), and handlers see only announced reports.
    return dataclasses.replace(settings, workflows_dir=folder, handlers=(HANDLER,),
                               report_notify_delay_max_minutes=0)


@pytest.fixture
def probity(settings: Settings, store: Store) -> Assistant:
    with store.transaction() as session:
        sync_people(session, load_directory(PROJECT_ROOT / "knowledge" / "staff.yaml"))
    return build_assistant(settings, store, knowledge=NoPolicies())


class Terminal:
    """Someone at `probity chat`: type lines, read what was printed since."""

    def __init__(self, probity: Assistant, key: str, name: str,
                 after_each_line: Callable[[], None] = lambda: None) -> None:
        self.output = io.StringIO()
        self.chat = ConsoleChat(probity, Speaker("console", key, name), self.output)
        self.seen = 0
        self.after_each_line = after_each_line

    def type(self, *lines: str) -> str:
        for line in lines:
            self.chat.take(line)
            self.after_each_line()
        printed = self.output.getvalue()
        new, self.seen = printed[self.seen:], len(printed)
        return new


def make_report(terminal: Terminal, mode: str) -> tuple[str, str]:
    """Fill in the report workflow; returns the reference and receipt shown."""
    assert "What kind of wrongdoing is it?" in terminal.type("report")
    assert "What happened?" in terminal.type("misuse of police systems")
    assert "When and where" in terminal.type(WHAT_HAPPENED)
    assert "Who is involved?" in terminal.type("Late February, Eastgate station front office")
    assert "evidence" in terminal.type("Sgt Blue, Eastgate response")
    assert "raised this anywhere else" in terminal.type("skip")
    assert "anonymous or confidential" in terminal.type("no")
    summary = terminal.type(mode)
    assert "Here is your report" in summary
    filed = terminal.type("confirm")
    reference = re.search(r"Your report is (R-\d{4}-\d{4,})", filed)
    receipt = re.search(r"Your receipt: ((?:\d{4} ){4}\d{4})", filed)
    assert reference and receipt, filed
    assert "cannot be recovered" in filed
    return reference.group(1), receipt.group(1)


def tomorrow() -> dt.datetime:
    """The batch's clock: it runs "tomorrow", so the assistant and handlers keep the real
    one and still see today's writes in the vault."""
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=1)


def batch(store: Store, settings: Settings) -> None:
    """Run the next day's batch now: the reporter's writes reach the vault (and handlers)."""
    context = ReportingContext.from_settings(settings, clock=tomorrow)
    apply_reporter_batch(store, context, random.Random(1), context.today())


def handler_reply(store: Store, settings: Settings, reference: str, text: str,
                  kind: str = "message") -> None:
    batch(store, settings)
    context = ReportingContext.from_settings(settings)
    with store.transaction() as session:
        handler = authorise_handler(session, context, Speaker("console", HANDLER, "Owen Price"),
                                    "reply")
        assert handler is not None
        reply(session, context, handler, reference, text, kind=kind)  # type: ignore[arg-type]


def next_day(probity: Assistant) -> Callable[[], Any]:
    """A clock a day after the assistant's, for running the daily reporter-activity batch."""
    return lambda: probity.clock() + dt.timedelta(days=1)


def snapshot(session: Session) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table of both databases, with JSON and binary values comparable."""
    found = {}
    for metadata, routed in ((Base.metadata, Person), (VaultBase.metadata, Report)):
        for table in metadata.sorted_tables:
            rows = session.execute(table.select(), bind_arguments={"mapper": routed})
            found[table.name] = {tuple(_hashable(value) for value in row) for row in rows}
    return found


def _hashable(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return value


def as_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def leaks(before: dict[str, set[tuple[Any, ...]]], after: dict[str, set[tuple[Any, ...]]],
          needles: list[str]) -> Iterator[str]:
    """Every new or changed row, in every table, that holds one of `needles` (any case)."""
    for table, rows in after.items():
        for row in rows - before.get(table, set()):
            for value in row:
                for needle in needles:
                    if contains(as_text(value), needle):
                        yield f"{table}: {needle!r} in {row!r}"


def contains(text: str, needle: str) -> bool:
    """`needle` as a whole token, any case: "person:1" is not found in "person:12"."""
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text, re.IGNORECASE) is not None


def reporter_needles(session: Session) -> tuple[list[str], int]:
    person = session.scalars(select(Person).where(Person.surface_id == REPORTER)).one()
    return [REPORTER, person.display_name, f"person:{person.id}",
            f"console:{REPORTER}", person.email or REPORTER], person.id


def test_an_anonymous_report_and_follow_up_leave_no_trace_of_the_reporter(
    probity: Assistant, store: Store, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with store.session() as session:
        before = snapshot(session)
        needles, reporter_id = reporter_needles(session)
    found: list[str] = []

    def look() -> None:
        # After every line, not just at the end: a draft deleted on filing still sat in the
        # database (and its backups and write-ahead log) while it existed.
        with store.session() as session:
            found.extend(leaks(before, snapshot(session), needles))

    amira = Terminal(probity, REPORTER, "Amira Khan", after_each_line=look)

    reference, receipt = make_report(amira, "anonymous")
    handler_reply(store, settings, reference, "Thank you. We are looking into it.")
    handler_reply(store, settings, reference, "Which day was this?", kind="question")

    assert "What is your report's reference?" in amira.type("follow up")
    assert "receipt" in amira.type(reference)
    thread = amira.type(receipt)
    assert "Integrity unit: Thank you. We are looking into it." in thread
    assert "Integrity unit asked: Which day was this?" in thread
    assert "asked you a question that has not been answered" in thread
    assert "Type your answer" in amira.type("answer")
    assert f"Added to {reference}" in amira.type(ANSWER)
    assert "no longer holds your reference or receipt" in amira.type("done")

    # The handler gets the answer, after the batch.
    batch(store, settings)
    context = ReportingContext.from_settings(settings, clock=next_day(probity))
    with store.transaction() as session:
        handler = authorise_handler(session, context, Speaker("console", HANDLER, "Owen Price"),
                                    "read")
        assert handler is not None
        view = read_report(session, context, handler, reference)
        # The next day's batch audits her answer (dated to the day), after her last line.
        due_notifications(session, context)
    assert view.identity is None
    assert (view.thread[-1].author, view.thread[-1].kind, view.thread[-1].text) == (
        "reporter", "answer", ANSWER)

    # Nothing in the database ties the report to Amira: not her key, name, e-mail, person id
    # or conversation key, in any new or changed row of any table.
    with store.session() as session:
        after = snapshot(session)
        found += leaks(before, after, needles)
        # Nor does a new row point at her person row.
        for table in (*Base.metadata.sorted_tables, *VaultBase.metadata.sorted_tables):
            for column in table.columns:
                if any(fk.column.table.name == "people" for fk in column.foreign_keys):
                    new_rows = after[table.name] - before[table.name]
                    index = list(table.columns).index(column)
                    found += [f"{table.name}.{column.name} -> her" for row in new_rows
                              if row[index] == reporter_id]
        report = session.scalars(select(Report)).one()
        messages = session.scalars(select(ReportMessage)).all()
        audit = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert found == []
    assert after["conversations"] == set()  # the draft was never written down
    assert probity.memory.load(f"console:{REPORTER}", probity.clock()) is None

    # What is stored is ciphertext, and only the receipt's slow hash.
    assert report.mode == "anonymous" and report.sealed_identity is None
    for secret in (b"neighbour", b"Sgt Blue", b"PNC", b"Eastgate", ANSWER.encode()[:20]):
        assert secret not in report.sealed_content
        assert all(secret not in message.sealed_body for message in messages)
    digits = receipt.replace(" ", "")
    assert report.receipt_hash.startswith("$argon2id$") and digits not in report.receipt_hash

    # The audit log names the reporter only as "anonymous reporter".
    audit_text = " ".join(f"{e.actor} {e.action} {e.subject} {json.dumps(e.details)}"
                          for e in audit)
    assert "anonymous reporter report.reporter_message" in audit_text
    for needle in [*needles, digits, receipt, "neighbour", ANSWER]:
        assert not contains(audit_text, needle), needle

    # The log output holds neither her identity, the receipt, nor what she reported.
    for needle in [*needles, digits, receipt, "neighbour", ANSWER]:
        assert not contains(caplog.text, needle), needle


def test_a_wrong_receipt_in_chat_is_refused_throttled_and_never_written_down(
    probity: Assistant, store: Store, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    amira = Terminal(probity, REPORTER, "Amira Khan")
    reference, receipt = make_report(amira, "anonymous")
    guess = "1234 5678 9012 3456 7890"
    amira.type("follow up", reference)
    screens = [amira.type(guess) for _ in range(5)]
    assert all("don't match" in screen for screen in screens)
    assert "too many attempts" in amira.type(guess)
    # Even the right receipt waits now, for her (as the one guessing) and nobody else.
    assert "too many attempts" in amira.type("follow up", reference, receipt)
    with store.session() as session:
        assert session.scalars(select(ReceiptFailure)).all() == []  # not yet, not timed
    batch(store, settings)
    with store.session() as session:
        failures = session.scalars(select(ReceiptFailure)).all()
        assert [failure.count for failure in failures] == [5]
    with store.transaction() as session:
        due_notifications(session, ReportingContext.from_settings(settings,
                                                                  clock=next_day(probity)))
    with store.session() as session:
        audit = " ".join(f"{e.actor} {e.action} {e.details}"
                         for e in session.scalars(select(AuditEvent)))
    assert "report.receipt_refused" in audit and "'failures': 5" in audit
    assert "1234" not in audit and guess.replace(" ", "") not in audit
    assert "1234" not in caplog.text


def test_a_confidential_reporter_is_known_to_handlers_and_nobody_else(
    probity: Assistant, store: Store, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    amira = Terminal(probity, REPORTER, "Amira Khan")
    reference, receipt = make_report(amira, "confidential")
    batch(store, settings)
    context = ReportingContext.from_settings(settings)
    with store.transaction() as session:
        handler = authorise_handler(session, context, Speaker("console", HANDLER, "Owen Price"),
                                    "read")
        assert handler is not None
        view = read_report(session, context, handler, reference)
    assert view.identity is not None
    assert (view.identity.surface_id, view.identity.display_name) == (REPORTER, "Amira Khan")
    # The reporter's own view, the database and the logs do not show it in the clear.
    shown = amira.type("follow up", reference, receipt)
    assert "Amira" not in shown and "Tell the handlers who I am" not in shown
    with store.session() as session:
        report = session.scalars(select(Report)).one()
        audit = " ".join(f"{e.actor} {e.details}" for e in session.scalars(select(AuditEvent)))
    assert b"Amira" not in report.sealed_identity and REPORTER.encode() not in \
        report.sealed_identity
    assert "Amira" not in audit and REPORTER not in audit
    assert "confidential reporter" not in audit or "Amira" not in audit
    assert "amira" not in caplog.text.casefold()


def test_an_anonymous_reporter_may_choose_to_reveal_themselves_in_chat(
    probity: Assistant, store: Store, settings: Settings
) -> None:
    amira = Terminal(probity, REPORTER, "Amira Khan")
    reference, receipt = make_report(amira, "anonymous")
    amira.type("follow up", reference, receipt)
    assert "can't be undone" in amira.type("reveal")
    assert "now know who you are" in amira.type("yes")
    batch(store, settings)
    context = ReportingContext.from_settings(settings)
    with store.transaction() as session:
        handler = authorise_handler(session, context, Speaker("console", HANDLER, "Owen Price"),
                                    "read")
        assert handler is not None
        view = read_report(session, context, handler, reference)
    assert view.summary.mode == "confidential"
    assert view.identity is not None and view.identity.surface_id == REPORTER


def test_a_closed_report_can_be_read_but_takes_no_more_in_chat(
    probity: Assistant, store: Store, settings: Settings
) -> None:
    from bot.reporting import change_status

    amira = Terminal(probity, REPORTER, "Amira Khan")
    reference, receipt = make_report(amira, "anonymous")
    batch(store, settings)
    context = ReportingContext.from_settings(settings)
    with store.transaction() as session:
        handler = authorise_handler(session, context, Speaker("console", HANDLER, "Owen Price"),
                                    "close")
        assert handler is not None
        change_status(session, context, handler, reference, "closed",
                      outcome="Management action: system access reviewed.")
    shown = amira.type("follow up", reference, receipt)
    assert "Outcome: Management action: system access reviewed." in shown
    assert "closed, so nothing more can be added" in shown


def test_an_anonymous_filing_is_built_without_the_reporter_by_construction(
    probity: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.workflows import filing

    seen: list[filing.Filing] = []
    real = probity.turns.filers["report"]

    def spy(session: Session, request: filing.Filing) -> Any:
        seen.append(request)
        return real.filer(session, request)

    monkeypatch.setitem(probity.turns.filers, "report",
                        dataclasses.replace(real, filer=spy))
    make_report(Terminal(probity, REPORTER, "Amira Khan"), "anonymous")
    make_report(Terminal(probity, "owen.price", "Owen Price"), "confidential")
    anonymous, confidential = seen
    # The anonymous report's filer never held her person row or her directory facts.
    assert anonymous.declarant is None and dict(anonymous.profile) == {}
    assert confidential.declarant is not None
    assert confidential.declarant.surface_id == "owen.price"


def test_the_report_filer_refuses_an_anonymous_filing_that_carries_an_identity(
    probity: Assistant, store: Store, settings: Settings
) -> None:
    from bot.reporting.chat import file_report
    from bot.workflows.filing import Filing

    state = {"answers": {"category": "other", "what_happened": WHAT_HAPPENED,
                         "when_and_where": "Eastgate", "mode": "anonymous"}, "displays": {}}
    with store.transaction() as session:
        person = session.scalars(select(Person).where(Person.surface_id == REPORTER)).one()
        filing = Filing(definition=probity.definitions["report"], state=state,
                        settings=settings, today=probity.clock().date(), profile={},
                        declarant=person)
        with pytest.raises(ValueError, match="identity"):
            file_report(session, filing)
    with store.session() as session:
        assert session.scalars(select(Report)).all() == []


class Unanswerable:
    """Knows no policy: every question comes back unanswered."""

    def answer(self, question: str) -> Any:
        return dataclasses.make_dataclass(
            "NoAnswer", ["question", "answered", "answer", "citations", "contact"])(
            question, False, "I couldn't find that in the policies.", (), None)


def test_a_question_asked_mid_report_is_not_kept_in_the_unanswered_log(
    settings: Settings, store: Store
) -> None:
    from bot.store.models import UnansweredQuestion

    with store.transaction() as session:
        sync_people(session, load_directory(PROJECT_ROOT / "knowledge" / "staff.yaml"))
    probity = build_assistant(settings, store, knowledge=Unanswerable())
    amira = Terminal(probity, REPORTER, "Amira Khan")
    amira.type("report", "misuse of police systems")
    # Short enough to be a question for the policies, not an account of what happened.
    shown = amira.type("Is checking a neighbour on PNC allowed?")
    assert "couldn't find that" in shown and "What happened?" in shown
    # Outside a report the same kind of question is kept for the policy owners.
    amira.type("cancel", "what is the policy on tattoos?")
    with store.session() as session:
        kept = session.scalars(select(UnansweredQuestion.question)).all()
    assert kept == ["what is the policy on tattoos?"]


def test_a_receipt_with_a_group_missing_is_called_incomplete_in_chat(
    probity: Assistant, store: Store, settings: Settings
) -> None:
    amira = Terminal(probity, REPORTER, "Amira Khan")
    reference, receipt = make_report(amira, "anonymous")
    amira.type("follow up", reference)
    assert "isn't a whole receipt" in amira.type(receipt[:-5])
    assert "Status: received" in amira.type(receipt.replace(" ", "-"))
    batch(store, settings)
    with store.session() as session:
        assert [f.count for f in session.scalars(select(ReceiptFailure))] == [1]
