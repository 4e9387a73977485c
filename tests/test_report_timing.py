"""Reporter-side audit events carry the day only, are written after the day ends, and keep the
hash chain verifiable: their timing cannot be matched against Slack's or the network's logs."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from test_report_support import (
    HANDLER_KEY,
    FakeClock,
    announce,
    next_batch,
    reporting_context,
    sample_content,
)

from bot.config import Settings
from bot.reporting import (
    AccessRefused,
    ConfidentialReporter,
    add_reporter_message,
    authorise_handler,
    due_notifications,
    open_report,
    reply,
    reveal_identity,
    submit_anonymous_report,
)
from bot.reporting.activity import REPORTER_ACTORS, audit_reporter_activity
from bot.reporting.vault.batch import apply_reporter_batch
from bot.store import Store
from bot.store.audit import verify_chain
from bot.store.models import AuditEvent
from bot.store.vault.models import ReceiptFailure
from bot.turns import Speaker

WRONG = "1111 2222 3333 4444 5555"


def _reporter_events(store: Store) -> list[AuditEvent]:
    with store.session() as session:
        return list(session.scalars(select(AuditEvent).where(
            AuditEvent.actor.in_(REPORTER_ACTORS)).order_by(AuditEvent.id)))


def test_no_reporter_side_event_is_timed_finer_than_a_day(
    store: Store, settings: Settings
) -> None:
    # 14:03:27 on a Monday: exactly the kind of moment a Slack access log also holds.
    clock = FakeClock(dt.datetime(2026, 3, 2, 14, 3, 27, 123456, tzinfo=dt.UTC))
    context = reporting_context(settings, clock)
    with store.transaction() as session:
        first = submit_anonymous_report(session, context, sample_content())
        second = submit_anonymous_report(session, context, sample_content())
    announce(store, context, clock)
    # 3 March from here on: 14:03:27 again, when Slack's logs are busy.
    clock.now = clock.now.replace(hour=14, minute=3, second=27)
    with store.transaction() as session:
        handler = authorise_handler(session, context, Speaker("console", HANDLER_KEY, "DS W"),
                                    "test")
        assert handler is not None
        reply(session, context, handler, first.reference, "Which day?", kind="question")
    # Every kind of reporter action: message, answer, reveal, wrong receipts (on a real and
    # an unknown reference) and a throttled attempt.
    guesser = context.guesses.sender("slack", "UGUESSER")
    actions = [
        lambda s: add_reporter_message(s, context, first.reference, first.receipt, "More."),
        lambda s: add_reporter_message(s, context, first.reference, first.receipt, "Tuesday",
                                       kind="answer"),
        lambda s: reveal_identity(s, context, second.reference, second.receipt,
                                  ConfidentialReporter("console", "jdoe", "PC Jane Doe")),
        *[lambda s: open_report(s, context, second.reference, WRONG, sender=guesser)] * 4,
        lambda s: open_report(s, context, "R-2026-0999", WRONG, sender=guesser),
    ]
    for number, action in enumerate(actions):
        if number < 3:  # the wrong receipts come in quick succession, to reach the throttle
            clock.advance(minutes=7, seconds=13)
        with store.transaction() as session:
            action(session)
    with store.transaction() as session:
        assert isinstance(open_report(session, context, second.reference, second.receipt,
                                      sender=guesser), AccessRefused)  # throttled by now
        # The same day the batch writes nothing: the day has not ended.
        due_notifications(session, context)
    assert _reporter_events(store) == []

    next_batch(store, context, clock)
    with store.transaction() as session:
        due_notifications(session, context)
    events = _reporter_events(store)
    assert {(e.action, e.subject) for e in events} == {
        ("report.reporter_message", first.reference),
        ("report.identity_revealed", second.reference),
        ("report.receipt_refused", second.reference),
        # A reference that names no report is not kept, even as a failure's subject.
        ("report.receipt_refused", None),
    }
    for event in events:
        at = event.at.astimezone(dt.UTC)
        assert (at.hour, at.minute, at.second, at.microsecond) == (0, 0, 0, 0), event.action
        assert at.date() == dt.date(2026, 3, 3) and event.details["on"] == "2026-03-03"
    by_kind = {e.details.get("kind"): e.details.get("count") for e in events
               if e.action == "report.reporter_message"}
    assert by_kind == {"message": 1, "answer": 1}
    with store.session() as session:
        assert verify_chain(session).intact
        # The per-day failure counts are gone once they are audited.
        assert session.scalars(select(ReceiptFailure)).all() == []


def test_each_day_is_audited_once_and_dated_to_itself(store: Store, settings: Settings) -> None:
    clock = FakeClock(dt.datetime(2026, 3, 2, 23, 50, tzinfo=dt.UTC))
    context = reporting_context(settings, clock)
    with store.transaction() as session:
        submission = submit_anonymous_report(session, context, sample_content())
    for _ in range(2):
        with store.transaction() as session:
            add_reporter_message(session, context, submission.reference, submission.receipt,
                                 "Another detail.")
        clock.advance(minutes=20)  # the second lands after midnight: 3 March
    clock.advance(days=2)
    apply_reporter_batch(store, context, random.Random(3), context.today())
    for _ in range(2):  # several processes, or a job run twice, write each day once
        with store.transaction() as session:
            audit_reporter_activity(session, context)
    events = _reporter_events(store)
    assert [(e.at.astimezone(dt.UTC).date(), e.details["count"]) for e in events] == [
        (dt.date(2026, 3, 2), 1), (dt.date(2026, 3, 3), 1)]
    with store.session() as session:
        assert verify_chain(session).intact


def test_the_chain_covers_a_day_dated_event(store: Store) -> None:
    from bot.store.audit import record_event

    with store.transaction() as session:
        record_event(session, "system", "test.exact")
        coarse = record_event(session, "system", "test.coarse",
                              at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
        record_event(session, "system", "test.after")
        coarse_id = coarse.id
    with store.session() as session:
        assert verify_chain(session).checked == 3
    # Moving the day-dated event to another moment is caught like any other change.
    with store.transaction() as session:
        session.get(AuditEvent, coarse_id).at = dt.datetime(2026, 3, 2, 14, 3, tzinfo=dt.UTC)
    with store.session() as session:
        assert verify_chain(session).broken_event_id == coarse_id
