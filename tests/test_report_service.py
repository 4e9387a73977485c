"""The reporting service on both backends: submit, follow up, handle, batches, deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from test_report_support import (
    HANDLER_KEY,
    FakeClock,
    announce,
    next_batch,
    reporting_context,
    sample_content,
    vault_is_empty,
)

from bot.config import Settings
from bot.reporting import (
    AccessRefused,
    ConfidentialReporter,
    DuplicateSubmission,
    ReportClosed,
    ReporterView,
    ReportingError,
    UnknownReport,
    add_reporter_message,
    authorise_handler,
    change_status,
    due_notifications,
    list_reports,
    mark_notified,
    open_report,
    read_report,
    reply,
    reveal_identity,
    submit_anonymous_report,
    submit_confidential_report,
)
from bot.reporting.handling import Handler
from bot.reporting.records import NotAHandler
from bot.reporting.vault.batch import apply_batch_if_due, batch_moment
from bot.store import Store
from bot.store.models import AuditEvent
from bot.store.vault.models import ReceiptFailure, Report, ReportStatus
from bot.turns import Speaker

HANDLER = Speaker("console", HANDLER_KEY, "DS Helen Wright")
COLLEAGUE = ConfidentialReporter("console", "jdoe", "PC Jane Doe")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _submit(store: Store, context, **content) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        submission = submit_anonymous_report(session, context, sample_content(**content))
    return submission.reference, submission.receipt


def _sender(context, who: str = "UREPORTER"):  # type: ignore[no-untyped-def]
    return context.guesses.sender("slack", who)


def _handler(store: Store, context) -> Handler:  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        handler = authorise_handler(session, context, HANDLER, "test")
    assert handler is not None
    return handler


def test_a_report_gets_a_reference_and_a_receipt_that_opens_it(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    reference, receipt = _submit(store, context)
    year, number = reference.split("-")[1:]
    assert year == "2026" and len(number) == 6  # random, so it says nothing of order
    # The reporter opens it at once, typed loosely, from their own waiting write...
    with store.transaction() as session:
        view = open_report(session, context, f"r {year} {number}", receipt)
    assert isinstance(view, ReporterView)
    assert view.status == "received" and view.mode == "anonymous"
    assert view.content.what_happened.startswith("A sergeant looked up")
    assert view.received_on == dt.date(2026, 3, 2)
    # ...while no database holds anything of it until the next day's batch.
    assert vault_is_empty(store)
    next_batch(store, context, clock)
    with store.session() as session:
        report = session.scalars(select(Report)).one()
        assert report.received_on == dt.date(2026, 3, 2)
        assert report.acknowledge_due == dt.date(2026, 3, 9)
        assert report.feedback_due == dt.date(2026, 6, 2)
        assert report.sealed_identity is None
        assert b"neighbour" not in report.sealed_content
        assert receipt.replace(" ", "") not in report.receipt_hash
    with store.transaction() as session:
        assert isinstance(open_report(session, context, reference, receipt), ReporterView)


def test_a_handler_reply_reaches_the_reporter_who_answers(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    reference, receipt = _submit(store, context)
    assert announce(store, context, clock) == [reference]
    handler = _handler(store, context)
    with store.transaction() as session:
        reply(session, context, handler, reference, "Thank you, we are looking into this.")
        reply(session, context, handler, reference, "Which day was it?", kind="question")
    with store.transaction() as session:
        view = open_report(session, context, reference, receipt)
    assert isinstance(view, ReporterView)
    assert [(e.author, e.kind, e.text) for e in view.thread] == [
        ("integrity unit", "message", "Thank you, we are looking into this."),
        ("integrity unit", "question", "Which day was it?"),
    ]
    assert view.open_questions == 1
    with store.transaction() as session:
        answered = add_reporter_message(session, context, reference, receipt,
                                        "Tuesday 24th", kind="answer")
    # The reporter sees their answer at once; handlers after the next batch.
    assert isinstance(answered, ReporterView) and answered.open_questions == 0
    assert answered.thread[-1].text == "Tuesday 24th"
    with store.transaction() as session:
        assert len(read_report(session, context, handler, reference).thread) == 2
    next_batch(store, context, clock)
    with store.transaction() as session:
        full = read_report(session, context, handler, reference)
    assert full.thread[-1].author == "reporter" and full.thread[-1].text == "Tuesday 24th"
    assert full.thread[0].author == "DS Helen Wright"  # handlers see which colleague wrote
    assert full.identity is None
    with store.session() as session:
        report = session.scalars(select(Report)).one()
        assert report.acknowledged_on == report.first_feedback_on == dt.date(2026, 3, 3)
    # The reporter's answer is audited once its day is in the vault, dated to the day.
    with store.transaction() as session:
        due_notifications(session, context)
    with store.session() as session:
        answered_event = session.scalars(select(AuditEvent).where(
            AuditEvent.actor == "anonymous reporter")).one()
    assert (answered_event.action, answered_event.subject, answered_event.details) == (
        "report.reporter_message", reference, {"kind": "answer", "count": 1, "on": "2026-03-03"})


def test_a_guessing_sender_is_slowed_and_the_guess_is_never_kept(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    reference, receipt = _submit(store, context)
    guesser = _sender(context, "UGUESSER")
    guesses = [f"{n:04d} 0000 0000 0000 0000" for n in range(7)]
    results = []
    for guess in guesses:
        with store.transaction() as session:
            results.append(open_report(session, context, reference, guess, sender=guesser))
    assert all(isinstance(r, AccessRefused) for r in results)
    assert [r.throttled for r in results] == [False] * 5 + [True] * 2  # type: ignore[union-attr]
    # The guesser waits, even with the right receipt; the guess is not checked at all.
    with store.transaction() as session:
        blocked = open_report(session, context, reference, receipt, sender=guesser)
    assert isinstance(blocked, AccessRefused) and blocked.throttled
    assert blocked.retry_after == dt.timedelta(seconds=30)
    # Nothing is written anywhere at the moment of the attempts, in any database.
    with store.session() as session:
        assert session.scalars(select(AuditEvent)).all() == []
    assert vault_is_empty(store)
    next_batch(store, context, clock)
    with store.session() as session:
        failures = session.scalars(select(ReceiptFailure)).all()
    # Counted per day, with no time and no sender.
    assert [(f.reference, f.on, f.count) for f in failures] == [
        (reference, dt.date(2026, 3, 2), 5)]
    with store.transaction() as session:
        due_notifications(session, context)
    with store.session() as session:
        events = session.scalars(select(AuditEvent)).all()
        assert session.scalars(select(ReceiptFailure)).all() == []  # audited, then gone
    refused = [e for e in events if e.action == "report.receipt_refused"]
    assert [(e.actor, e.subject, e.details) for e in refused] == [
        ("unverified reporter", reference,
         {"failures": 5, "reference_exists": True, "on": "2026-03-02"})]
    stored = " ".join(f"{e.actor} {e.action} {e.subject} {e.details}" for e in events)
    for guess in guesses:
        assert guess not in stored and guess.replace(" ", "") not in stored
    assert "0000" not in stored


def test_waits_double_with_each_further_failure_of_one_sender(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    reference, _ = _submit(store, context)
    guesser = _sender(context, "UGUESSER")
    waits = []
    for _ in range(8):
        with store.transaction() as session:
            refused = open_report(session, context, reference, "1111 1111 1111 1111 1111",
                                  sender=guesser)
        assert isinstance(refused, AccessRefused) and not refused.throttled
        waits.append(refused.retry_after)
        clock.advance(seconds=refused.retry_after.total_seconds())
    assert waits == [dt.timedelta(0)] * 4 + [dt.timedelta(seconds=s) for s in (30, 60, 120, 240)]


def test_confidential_identity_is_sealed_and_shown_to_handlers_only(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    with store.transaction() as session:
        submission = submit_confidential_report(session, context, sample_content(), COLLEAGUE)
    spooled = b"".join(path.read_bytes() for path in context.spool.directory.iterdir())
    assert b"Jane" not in spooled and b"jdoe" not in spooled
    with store.transaction() as session:
        view = open_report(session, context, submission.reference, submission.receipt)
    assert isinstance(view, ReporterView) and not hasattr(view, "identity")
    announce(store, context, clock)
    with store.session() as session:
        report = session.scalars(select(Report)).one()
        assert report.mode == "confidential"
        assert b"Jane Doe" not in report.sealed_identity and b"jdoe" not in report.sealed_identity
    handler = _handler(store, context)
    with store.transaction() as session:
        full = read_report(session, context, handler, submission.reference)
    assert full.identity == COLLEAGUE
    with store.session() as session:
        audit = " ".join(f"{e.actor} {e.details}" for e in session.scalars(select(AuditEvent)))
    assert "Jane" not in audit and "jdoe" not in audit
    assert "'identity_shown': True" in audit


def test_an_anonymous_reporter_may_reveal_themselves_but_not_go_back(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    reference, receipt = _submit(store, context)
    with store.transaction() as session:
        view = reveal_identity(session, context, reference, receipt, COLLEAGUE)
    assert isinstance(view, ReporterView) and view.mode == "confidential"
    with pytest.raises(ReportingError, match="already confidential"), \
            store.transaction() as session:
        reveal_identity(session, context, reference, receipt, COLLEAGUE)
    announce(store, context, clock)
    handler = _handler(store, context)
    with store.transaction() as session:
        full = read_report(session, context, handler, reference)
    assert full.identity == COLLEAGUE and full.summary.mode == "confidential"
    with pytest.raises(ReportingError, match="already confidential"), \
            store.transaction() as session:
        reveal_identity(session, context, reference, receipt, COLLEAGUE)


def test_someone_not_named_as_a_handler_is_refused_and_audited(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    reference, _ = _submit(store, context)
    with store.transaction() as session:
        assert authorise_handler(session, context, Speaker("console", "nosy", "PC Nosy"),
                                 f"read {reference}") is None
    with store.session() as session:
        event = session.scalars(select(AuditEvent)).one()
    assert (event.actor, event.action, event.details) == (
        "console:nosy", "report.access_refused", {"attempted": f"read {reference}"})
    forged = Handler(person_id=99, surface_id="nosy", display_name="PC Nosy")
    with pytest.raises(NotAHandler), store.transaction() as session:
        read_report(session, context, forged, reference)


def test_a_closed_report_shows_its_outcome_and_takes_no_more_messages(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    reference, receipt = _submit(store, context)
    announce(store, context, clock)
    handler = _handler(store, context)
    with pytest.raises(ReportingError, match="needs an outcome"), store.transaction() as s:
        change_status(s, context, handler, reference, "closed")
    with store.transaction() as session:
        change_status(session, context, handler, reference, "assessing")
        change_status(session, context, handler, reference, "closed",
                      outcome="Words of advice were given and system access reviewed.")
    with store.transaction() as session:
        view = open_report(session, context, reference, receipt)
    assert isinstance(view, ReporterView) and view.closed
    assert view.outcome == "Words of advice were given and system access reviewed."
    assert [e.text for e in view.thread] == ["Status changed to assessing.",
                                            "Status changed to closed."]
    with pytest.raises(ReportClosed), store.transaction() as session:
        add_reporter_message(session, context, reference, receipt, "One more thing")
    with pytest.raises(ReportClosed), store.transaction() as session:
        reply(session, context, handler, reference, "And another")
    with pytest.raises(ReportingError, match="closed"), store.transaction() as session:
        change_status(session, context, handler, reference, "investigating")
    with store.session() as session:
        report = session.scalars(select(Report)).one()
        assert report.closed_on == dt.date(2026, 3, 3)
        assert b"advice" not in report.sealed_outcome


def test_overdue_reports_are_listed_with_their_breaches(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    late, _ = _submit(store, context)
    acknowledged, _ = _submit(store, context)
    announce(store, context, clock)
    handler = _handler(store, context)
    with store.transaction() as session:
        change_status(session, context, handler, acknowledged, "acknowledged")
    clock.advance(days=8)
    with store.transaction() as session:
        overdue = list_reports(session, context, handler, overdue=True)
    assert [(s.reference, [b.what for b in s.breaches]) for s in overdue] == [
        (late, ["acknowledgement"])]
    clock.advance(days=90)
    with store.transaction() as session:
        overdue = list_reports(session, context, handler, overdue=True)
        everything = list_reports(session, context, handler, status="acknowledged")
    assert sorted((s.reference, [b.what for b in s.breaches]) for s in overdue) == sorted([
        (late, ["acknowledgement", "feedback"]), (acknowledged, ["feedback"])])
    assert [s.reference for s in everything] == [acknowledged]


def test_handlers_hear_of_a_report_only_after_the_next_days_batch(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    reference, _ = _submit(store, context)
    with store.transaction() as session:
        # Nothing in the audit log: its timestamp would mark the moment of submission.
        assert session.scalars(select(AuditEvent)).all() == []
        assert due_notifications(session, context) == []
    # Later the same day: still nothing, and no batch takes today's writes.
    clock.advance(hours=12)
    assert apply_batch_if_due(store, context) is None or vault_is_empty(store)
    # The next day, before its random moment, nothing; at the moment, the batch runs.
    moment = batch_moment(context, dt.date(2026, 3, 3))
    assert dt.timedelta(0) <= moment - dt.datetime(2026, 3, 3, 0, 0, tzinfo=context.zone) \
        <= dt.timedelta(minutes=context.batch_window_minutes)
    clock.now = moment - dt.timedelta(seconds=1)
    assert apply_batch_if_due(store, context) is None and vault_is_empty(store)
    clock.now = moment
    assert apply_batch_if_due(store, context) is not None
    with store.transaction() as session:
        due = due_notifications(session, context)
        assert [n.reference for n in due] == [reference]
        mark_notified(session, context, reference)
    with store.transaction() as session:
        assert due_notifications(session, context) == []
        report = session.scalars(select(Report)).one()
        assert report.handlers_notified and report.notify_after is None
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "report.received")).one()
    assert (event.actor, event.action, event.subject) == ("system", "report.received", reference)


def test_the_batch_runs_once_a_day_even_with_nothing_to_write(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    clock.now = batch_moment(context, dt.date(2026, 3, 3))
    first = apply_batch_if_due(store, context)
    # A batch that ran only when a reporter had acted would itself tell; padding is written.
    assert first is not None and first.applied == 0 and first.padding > 0
    clock.advance(minutes=5)
    assert apply_batch_if_due(store, context) is None


def test_a_surface_retry_does_not_file_twice(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    with store.transaction() as session:
        first = submit_anonymous_report(session, context, sample_content(),
                                        idempotency_key="view:V123")
    with pytest.raises(DuplicateSubmission) as duplicate, store.transaction() as session:
        submit_anonymous_report(session, context, sample_content(), idempotency_key="view:V123")
    assert duplicate.value.reference == first.reference
    next_batch(store, context, clock)
    with pytest.raises(DuplicateSubmission), store.transaction() as session:
        submit_anonymous_report(session, context, sample_content(), idempotency_key="view:V123")
    with store.session() as session:
        report = session.scalars(select(Report)).one()
        assert report.idempotency_key is not None and "V123" not in report.idempotency_key


def test_status_values_are_checked(store: Store, settings: Settings, clock: FakeClock) -> None:
    context = reporting_context(settings, clock)
    reference, _ = _submit(store, context)
    announce(store, context, clock)
    handler = _handler(store, context)
    for status, problem in (("done", "not a status"), ("received", "already received"),
                            ("assessing", None)):
        if problem:
            with pytest.raises(ReportingError, match=problem), store.transaction() as s:
                change_status(s, context, handler, reference, status)
        else:
            with store.transaction() as s:
                change_status(s, context, handler, reference, status)
    with pytest.raises(ReportingError, match="back to received"), store.transaction() as s:
        change_status(s, context, handler, reference, "received")
    with store.session() as session:
        assert session.scalars(select(Report)).one().status == ReportStatus.ASSESSING


def test_a_receipt_typed_with_odd_separators_opens_and_a_short_one_counts_as_a_failure(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    reference, receipt = _submit(store, context)
    me = _sender(context)
    with store.transaction() as session:
        opened = open_report(session, context, reference,
                             receipt.replace(" ", "\u2014"), sender=me)
    assert isinstance(opened, ReporterView)
    short = " ".join(receipt.split(" ")[:4])
    for _ in range(5):
        with store.transaction() as session:
            refused = open_report(session, context, reference, short, sender=me)
        assert isinstance(refused, AccessRefused) and refused.not_a_receipt
    with store.transaction() as session:
        # Five malformed entries used up this sender's free attempts: they now wait.
        blocked = open_report(session, context, reference, receipt, sender=me)
    assert isinstance(blocked, AccessRefused) and blocked.throttled
    next_batch(store, context, clock)
    with store.session() as session:
        assert [f.count for f in session.scalars(select(ReceiptFailure))] == [5]


def test_a_handler_cannot_list_or_act_on_a_report_before_the_batch(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    reference, receipt = _submit(store, context)
    handler = _handler(store, context)
    with store.transaction() as session:
        assert list_reports(session, context, handler) == []
    # Until the batch the reference reads exactly like one that was never issued.
    for typed in (reference, "R-2026-0099"):
        for act in (lambda s, r: read_report(s, context, handler, r),
                    lambda s, r: reply(s, context, handler, r, "Thanks"),
                    lambda s, r: reply(s, context, handler, r, "When?", kind="question"),
                    lambda s, r: change_status(s, context, handler, r, "closed", "Done.")):
            with pytest.raises(UnknownReport) as refused, store.transaction() as session:
                act(session, typed)
            assert str(refused.value) == f"There is no report {typed}."
    # The reporter may check in, and add to it, at once, and sees what they added.
    with store.transaction() as session:
        view = add_reporter_message(session, context, reference, receipt, "One more thing")
    assert isinstance(view, ReporterView) and view.status == "received"
    assert [(e.author, e.text) for e in view.thread] == [("reporter", "One more thing")]
    assert vault_is_empty(store)
    with store.session() as session:
        assert session.scalars(select(AuditEvent).where(
            AuditEvent.action == "report.received")).all() == []
    next_batch(store, context, clock)
    with store.session() as session:
        report = session.scalars(select(Report)).one()
        assert not report.handlers_notified and report.status == ReportStatus.RECEIVED
        assert [message.author for message in report.messages] == ["reporter"]


def test_after_the_batch_a_report_is_announced_once_then_visible(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    reference, _ = _submit(store, context)
    handler = _handler(store, context)
    next_batch(store, context, clock)
    # The handler's own list announces it: the same moment the notice job would have.
    with store.transaction() as session:
        assert [s.reference for s in list_reports(session, context, handler)] == [reference]
    with store.transaction() as session:
        assert read_report(session, context, handler, reference).summary.reference == reference
        assert due_notifications(session, context) == []
        assert list_reports(session, context, handler)[0].reference == reference
    with store.session() as session:
        received = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "report.received")).all()
        assert [(e.actor, e.subject) for e in received] == [("system", reference)]
        assert session.scalars(select(Report)).one().handlers_notified


def test_report_received_is_audited_before_any_handler_event_about_it(
    store: Store, settings: Settings, clock: FakeClock
) -> None:
    context = reporting_context(settings, clock)
    reference, _ = _submit(store, context)
    handler = _handler(store, context)
    for _ in range(3):  # a handler polling before the batch
        clock.advance(minutes=1)
        with store.transaction() as session:
            list_reports(session, context, handler)
        with pytest.raises(UnknownReport), store.transaction() as session:
            read_report(session, context, handler, reference)
    next_batch(store, context, clock)
    with store.transaction() as session:
        read_report(session, context, handler, reference)
        change_status(session, context, handler, reference, "closed", outcome="No case.")
    with store.transaction() as session:
        # Nothing is left for the notice job to announce about a report already closed.
        assert due_notifications(session, context) == []
    with store.session() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    about = [e.action for e in events if e.subject == reference]
    assert about == ["report.received", "report.read", "report.status_changed"]
    # Every list made while the report was hidden counted nothing.
    counts = [e.details["count"] for e in events if e.action == "reports.listed"]
    assert counts == [0, 0, 0]
