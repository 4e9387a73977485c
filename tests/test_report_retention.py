"""Retention: `purge_closed` and `probity cases purge-closed` keep an audited stub of reports
closed longer ago than the force's period, and remove what they said."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from sqlalchemy import select
from test_report_support import (
    HANDLER_KEY,
    FakeClock,
    announce,
    reporting_context,
    sample_content,
)

from bot.cli import main
from bot.config import Settings
from bot.reporting import (
    ConfidentialReporter,
    NotAHandler,
    ReporterView,
    add_reporter_message,
    authorise_handler,
    change_status,
    open_report,
    read_report,
    reply,
    submit_anonymous_report,
    submit_confidential_report,
)
from bot.reporting.context import ReportingContext
from bot.reporting.handling import Handler
from bot.reporting.retention import purge_closed
from bot.reporting.rotation import reseal_all
from bot.reporting.sealing import Sealer, generate_key
from bot.reporting.threads import removed
from bot.store import Store
from bot.store.audit import verify_chain
from bot.store.models import AuditEvent
from bot.store.vault.models import ReceiptFailure, Report, ReportMessage
from bot.turns import Speaker

OUTCOME = "Final written warning; access to the PNC removed for a year."


def _file_and_close(store: Store, context: ReportingContext, handler: Handler, *,
                    confidential: bool = False, close: bool = True) -> tuple[str, str]:
    with store.transaction() as session:
        if confidential:
            done = submit_confidential_report(session, context, sample_content(),
                                              ConfidentialReporter("console", "jdoe", "PC Doe"))
        else:
            done = submit_anonymous_report(session, context, sample_content(),
                                           idempotency_key=secrets.token_hex(8))
    assert isinstance(context.clock, FakeClock)
    assert announce(store, context, context.clock) == [done.reference]
    with store.transaction() as session:
        reply(session, context, handler, done.reference, "Which day?", kind="question")
        add_reporter_message(session, context, done.reference, done.receipt, "A Tuesday.",
                             kind="answer")
        open_report(session, context, done.reference, "0" * 20)  # a failure row
        if close:
            change_status(session, context, handler, done.reference, "closed", outcome=OUTCOME)
    return done.reference, done.receipt


@pytest.fixture
def desk(store: Store, settings: Settings) -> tuple[FakeClock, ReportingContext, Handler]:
    clock = FakeClock(dt.datetime(2025, 1, 6, 11, 0, tzinfo=dt.UTC))
    context = reporting_context(settings, clock)
    with store.transaction() as session:
        handler = authorise_handler(session, context, Speaker("console", HANDLER_KEY, "DS W"),
                                    "test")
    assert handler is not None
    return clock, context, handler


def test_reports_closed_longer_ago_than_the_period_keep_only_a_stub(
    store: Store, desk: tuple[FakeClock, ReportingContext, Handler]
) -> None:
    clock, context, handler = desk
    old, old_receipt = _file_and_close(store, context, handler, confidential=True)
    still_open, _ = _file_and_close(store, context, handler, close=False)
    clock.advance(days=300)
    recent, _ = _file_and_close(store, context, handler)
    clock.advance(days=100)  # old closed 400 days ago, recent 100
    with store.transaction() as session:
        purged = purge_closed(session, context, handler, older_than_days=365)
    assert [(p.reference, p.closed_on, p.messages_removed) for p in purged] == [
        (old, dt.date(2025, 1, 7), 3)]  # question, answer, status note (closed the day after)

    with store.session() as session:
        stub = session.scalars(select(Report).where(Report.reference == old)).one()
        assert stub.sealed_content == b"" and stub.sealed_identity is None
        assert stub.idempotency_key is None and stub.sealed_outcome is not None
        assert (stub.status, stub.mode, stub.received_on, stub.closed_on) == (
            "closed", "confidential", dt.date(2025, 1, 6), dt.date(2025, 1, 7))
        assert session.scalars(select(ReportMessage).where(
            ReportMessage.report_id == stub.id)).all() == []
        assert session.scalars(select(ReceiptFailure).where(
            ReceiptFailure.reference == old)).all() == []
        for other in (still_open, recent):
            kept = session.scalars(select(Report).where(Report.reference == other)).one()
            assert kept.sealed_content and len(kept.messages) >= 2
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "report.purged")).all()
        assert [(e.actor, e.subject, e.details) for e in events] == [
            (handler.actor, old, {"closed_on": "2025-01-07", "older_than_days": 365,
                                  "messages_removed": 3, "outcome": "kept sealed"})]
        assert verify_chain(session).intact
        # The reporter's answer was audited (in the batch) before its message went.
        assert session.scalars(select(AuditEvent).where(
            AuditEvent.action == "report.reporter_message", AuditEvent.subject == old)).all()

    # The reporter can still read what came of it; the handler sees the stub.
    with store.transaction() as session:
        view = open_report(session, context, old, old_receipt)
        full = read_report(session, context, handler, old)
    assert isinstance(view, ReporterView) and view.outcome == OUTCOME and view.thread == ()
    assert full.content.what_happened == removed() and full.identity is None

    # Running again purges nothing more; removing outcomes too is a separate, explicit choice.
    with store.transaction() as session:
        assert purge_closed(session, context, handler, older_than_days=365) == []
        again = purge_closed(session, context, handler, older_than_days=365,
                             remove_outcome=True)
    assert [p.reference for p in again] == [old]
    with store.session() as session:
        assert session.scalars(select(Report.sealed_outcome).where(
            Report.reference == old)).one() is None

    # A later key rotation passes over the removed content.
    with store.transaction() as session:
        assert reseal_all(session, context.sealer, Sealer(generate_key())).values > 0


def test_a_dry_run_changes_nothing_and_bad_requests_are_refused(
    store: Store, desk: tuple[FakeClock, ReportingContext, Handler]
) -> None:
    clock, context, handler = desk
    reference, _ = _file_and_close(store, context, handler)
    clock.advance(days=40)
    with store.transaction() as session:
        preview = purge_closed(session, context, handler, older_than_days=30, dry_run=True)
    assert [p.reference for p in preview] == [reference]
    with store.session() as session:
        assert session.scalars(select(Report.sealed_content)).one() != b""
    with pytest.raises(ValueError, match="at least one day"), store.transaction() as session:
        purge_closed(session, context, handler, older_than_days=0)
    forged = Handler(person_id=99, surface_id="nosy", display_name="PC Nosy")
    with pytest.raises(NotAHandler), store.transaction() as session:
        purge_closed(session, context, forged, older_than_days=30)
    # Closed 40 days ago is not "older than 40 days" until the 41st.
    with store.transaction() as session:
        assert purge_closed(session, context, handler, older_than_days=40) == []


def test_purge_closed_from_the_command_line(
    store: Store, settings: Settings, probity_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PROBITY_HANDLERS", HANDLER_KEY)
    clock = FakeClock(dt.datetime.now(dt.UTC) - dt.timedelta(days=800))
    context = ReportingContext.from_settings(Settings.from_env(), clock=clock)
    with store.transaction() as session:
        handler = authorise_handler(session, context, Speaker("console", HANDLER_KEY, "DS W"),
                                    "test")
    assert handler is not None
    reference, _ = _file_and_close(store, context, handler)
    assert main(["cases", "purge-closed", "--older-than", "730", "--dry-run",
                 "--as", HANDLER_KEY]) == 0
    assert f"Would purge {reference}" in capsys.readouterr().out
    assert main(["cases", "purge-closed", "--older-than", "730", "--as", HANDLER_KEY]) == 0
    assert f"Purged {reference}" in capsys.readouterr().out
    assert main(["cases", "purge-closed", "--older-than", "730", "--as", "nosy"]) == 1
    assert "cannot act as nosy" in capsys.readouterr().err
    assert main(["cases", "show", reference, "--as", HANDLER_KEY]) == 0
    assert removed() in capsys.readouterr().out
