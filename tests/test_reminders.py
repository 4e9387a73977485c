"""Every reminder at the right moment, with the clock moved by hand; none repeated within its
period; none once the thing is done. Both backends (PROBITY_TEST_DATABASE_URL)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import subprocess
import sys

import pytest
from sqlalchemy import select

from bot.casework.decisions import decide, provide_information, request_information
from bot.casework.followup import record_compliance_check
from bot.casework.rules import CaseworkRules
from bot.config import Settings
from bot.directory import load_directory, sync_people
from bot.jobs.builtin import reminder_plan
from bot.jobs.notices import text_of
from bot.jobs.reminders import ReminderPlan, send_late_digest, send_reminders
from bot.reporting import (
    ReportContent,
    ReportingContext,
    announce_due,
    authorise_handler,
    change_status,
    submit_anonymous_report,
)
from bot.reporting.vault.batch import apply_reporter_batch
from bot.store import Store
from bot.store.models import Declaration, Job, Notice, Person
from bot.turns import Speaker
from bot.workflows.drafts import Draft, delete_draft, save_draft

HANDLER = "owen.price"
DECLARANT = "amira.khan"  # her line manager in the demo directory is tom.reid
MANAGER = "tom.reid"


class Clock:
    def __init__(self, day: dt.date) -> None:
        self.now = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def on(self, day: dt.date) -> Clock:
        self.now = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
        return self


@pytest.fixture
def unit(settings: Settings) -> Settings:
    return dataclasses.replace(settings, handlers=(HANDLER,))


@pytest.fixture
def plan(unit: Settings, store: Store) -> ReminderPlan:
    with store.transaction() as session:
        sync_people(session, load_directory(unit.directory_file), surface="console")
    return reminder_plan(unit)


def person(store: Store, key: str) -> Person:
    with store.session() as session:
        found = session.scalars(select(Person).where(Person.surface_id == key)).one()
        session.expunge(found)
        return found


def remind(store: Store, plan: ReminderPlan, clock: Clock) -> list[tuple[str, str, str]]:
    """Run the daily reminders; (kind, whom, words) for each notice made."""
    with store.transaction() as session:
        made = send_reminders(session, plan, clock())
        return [(notice.kind, session.get(Person, notice.person_id).surface_id,  # type: ignore[union-attr]
                 text_of(notice)) for notice in made]


def kinds(made: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    return sorted((kind, whom) for kind, whom, _ in made)


def file_interest(store: Store, submitted: dt.datetime, reference: str = "BI-2027-0001"
                  ) -> str:
    with store.transaction() as session:
        declarant = session.scalars(select(Person).where(Person.surface_id == DECLARANT)).one()
        session.add(Declaration(reference=reference, kind="business_interest",
                                person_id=declarant.id, line_manager_id=declarant.line_manager_id,
                                workflow="business_interest", submitted_at=submitted,
                                summary="Weekend driving instructor"))
    return reference


def file_report(store: Store, settings: Settings, clock: Clock
                ) -> tuple[ReportingContext, str]:
    """An anonymous report filed on the clock's day and brought into the vault; its context
    and reference."""
    context = ReportingContext.from_settings(settings, clock=clock)
    with store.transaction() as session:
        reference = submit_anonymous_report(session, context, ReportContent(
            category="corruption", what_happened="Selling PNC checks to a garage",
            when_and_where="Last week", who_is_involved="PC Grey", evidence="",
            raised_elsewhere="no")).reference
    # The vault's next-day batch, run now: the report reaches handlers (bot.reporting.vault).
    apply_reporter_batch(store, context, random.Random(1), context.today() + dt.timedelta(days=1))
    return context, reference


def rules(plan: ReminderPlan) -> CaseworkRules:
    return plan.rules


def test_a_conditional_approval_reminds_declarant_and_manager_of_its_check_and_review(
        store: Store, plan: ReminderPlan) -> None:
    decided = dt.datetime(2027, 1, 4, 11, tzinfo=dt.UTC)
    reference = file_interest(store, decided - dt.timedelta(days=3))
    with store.transaction() as session:
        decide(session, rules(plan), reference, "approved_with_conditions", "Fits with shifts",
               person_in(session, HANDLER), conditions="No lessons for colleagues", now=decided)
    clock = Clock(dt.date(2027, 1, 5))
    assert remind(store, plan, clock) == []

    # The check is due 90 days on, on 4 April; reminded from 14 days before.
    assert remind(store, plan, clock.on(dt.date(2027, 3, 20))) == []
    made = remind(store, plan, clock.on(dt.date(2027, 3, 21)))
    assert kinds(made) == [("compliance_check_due_soon", DECLARANT),
                           ("compliance_check_due_soon", MANAGER)]
    words = dict((whom, text) for _, whom, text in made)
    assert "Your business interest BI-2027-0001" in words[DECLARANT]
    assert "by 4 April 2027" in words[DECLARANT]
    assert words[MANAGER].startswith("Amira Khan's business interest BI-2027-0001")
    assert remind(store, plan, clock) == []  # the same day again
    assert remind(store, plan, clock.on(dt.date(2027, 4, 4))) == []  # the same period

    assert kinds(remind(store, plan, clock.on(dt.date(2027, 4, 5)))) == [
        ("compliance_check_overdue", DECLARANT), ("compliance_check_overdue", MANAGER)]
    assert remind(store, plan, clock.on(dt.date(2027, 4, 11))) == []
    assert len(remind(store, plan, clock.on(dt.date(2027, 4, 12)))) == 2  # a week late

    with store.transaction() as session:
        record_compliance_check(session, rules(plan), reference, True, "Checked with ADI",
                                person_in(session, HANDLER), next_check=dt.date(2028, 3, 1),
                                now=clock())
    assert remind(store, plan, clock.on(dt.date(2027, 4, 13))) == []
    with store.session() as session:
        unseen = session.scalars(select(Notice).where(Notice.kind == "compliance_check_overdue",
                                                      Notice.withdrawn_on.is_(None))).all()
    assert unseen == []  # done before they were read: withdrawn, never shown

    # The 12-month review is due 4 January 2028: 30 days' notice, then overdue.
    assert remind(store, plan, clock.on(dt.date(2027, 12, 4))) == []
    assert kinds(remind(store, plan, clock.on(dt.date(2027, 12, 5)))) == [
        ("review_due_soon", DECLARANT), ("review_due_soon", MANAGER)]
    assert kinds(remind(store, plan, clock.on(dt.date(2028, 1, 5)))) == [
        ("review_overdue", DECLARANT), ("review_overdue", MANAGER)]
    with store.transaction() as session:  # reviewed: approved again, next review in a year
        decide(session, rules(plan), reference, "approved_with_conditions", "Still fits",
               person_in(session, HANDLER), conditions="No lessons for colleagues",
               now=clock())
    assert remind(store, plan, clock.on(dt.date(2028, 1, 12))) == []


def person_in(session, key: str) -> Person:  # type: ignore[no-untyped-def]
    return session.scalars(select(Person).where(Person.surface_id == key)).one()


def test_the_unit_hears_once_of_each_late_decision_and_weekly_of_everything_late(
        store: Store, plan: ReminderPlan) -> None:
    reference = file_interest(store, dt.datetime(2027, 1, 4, 15, tzinfo=dt.UTC))
    clock = Clock(dt.date(2027, 2, 1))  # the target: 28 days from 4 January
    assert remind(store, plan, clock) == []
    made = remind(store, plan, clock.on(dt.date(2027, 2, 2)))
    assert kinds(made) == [("decision_late", HANDLER)]
    assert made[0][2] == ("BI-2027-0001 is still undecided (submitted); its decision was due "
                          "by 1 February 2027.")
    assert remind(store, plan, clock.on(dt.date(2027, 2, 9))) == []  # once per record

    with store.transaction() as session:
        digest = [text_of(n) for n in send_late_digest(session, plan, clock())]
        assert send_late_digest(session, plan, clock()) == []  # the same week
    assert digest == ["Late casework, week of 9 February 2027: 1 decisions past target, "
                      "0 yearly reviews and 0 compliance checks overdue, 0 reports past a "
                      "deadline. BI-2027-0001"]
    with store.transaction() as session:
        assert len(send_late_digest(session, plan, clock.on(dt.date(2027, 2, 15))())) == 1
        decide(session, rules(plan), reference, "approved", "Fine", person_in(session, HANDLER),
               now=clock())
    with store.transaction() as session:
        assert send_late_digest(session, plan, clock.on(dt.date(2027, 2, 22))()) == []


def test_handlers_are_reminded_of_a_reports_deadlines_from_its_day_only(
        unit: Settings, store: Store, plan: ReminderPlan) -> None:
    clock = Clock(dt.date(2027, 3, 1))
    context, reference = file_report(store, unit, clock)
    # Not yet announced: for handlers it does not exist, so nothing is said about it.
    assert remind(store, plan, clock.on(dt.date(2027, 3, 7))) == []
    with store.transaction() as session:
        assert [n.reference for n in announce_due(session, context)] == [reference]

    made = remind(store, plan, clock.on(dt.date(2027, 3, 7)))  # due 8 March
    assert made == [("report_acknowledge_soon", HANDLER,
                     f"Report {reference} must be acknowledged by 8 March 2027.")]
    assert remind(store, plan, clock.on(dt.date(2027, 3, 8))) == []
    assert kinds(remind(store, plan, clock.on(dt.date(2027, 3, 9)))) == [
        ("report_acknowledge_missed", HANDLER)]
    assert remind(store, plan, clock.on(dt.date(2027, 3, 10))) == []
    with store.transaction() as session:
        handler = authorise_handler(session, context, Speaker("console", HANDLER, "Owen"), "t")
        assert handler is not None
        change_status(session, context, handler, reference, "acknowledged")
    assert remind(store, plan, clock.on(dt.date(2027, 3, 16))) == []  # done: stopped

    assert remind(store, plan, clock.on(dt.date(2027, 5, 17))) == []  # feedback due 1 June
    assert kinds(remind(store, plan, clock.on(dt.date(2027, 5, 18)))) == [
        ("report_feedback_soon", HANDLER)]
    made = remind(store, plan, clock.on(dt.date(2027, 6, 2)))
    assert made == [("report_feedback_missed", HANDLER,
                     f"The reporter of {reference} has had no feedback; it was due by "
                     "1 June 2027.")]
    with store.session() as session:
        notices = session.scalars(select(Notice).where(Notice.subject == reference)).all()
        jobs = session.scalars(select(Job)).all()
    # Nothing about the reporter or the report's content, and nothing finer than a day.
    for notice in notices:
        assert set(notice.fields) == {"reference", "due"}
        assert notice.actions == [{"action": "read_report", "reference": reference}]
        assert isinstance(notice.created_on, dt.date)
        assert not isinstance(notice.created_on, dt.datetime)
    assert jobs == []  # the handler reads them in the terminal: no Slack job
    with store.transaction() as session:
        change_status(session, context, handler, reference, "closed", outcome="Action taken")
    assert remind(store, plan, clock.on(dt.date(2027, 6, 9))) == []


def test_an_unanswered_question_reminds_the_declarant_weekly_until_answered(
        store: Store, plan: ReminderPlan) -> None:
    reference = file_interest(store, dt.datetime(2027, 1, 4, 15, tzinfo=dt.UTC))
    asked = dt.datetime(2027, 1, 10, 14, tzinfo=dt.UTC)
    with store.transaction() as session:
        request_information(session, rules(plan), reference, "How many hours a week?",
                            person_in(session, HANDLER), now=asked)
    clock = Clock(dt.date(2027, 1, 16))
    assert [k for k in kinds(remind(store, plan, clock)) if k[1] == DECLARANT] == []
    made = [m for m in remind(store, plan, clock.on(dt.date(2027, 1, 17))) if m[1] == DECLARANT]
    assert made == [("information_unanswered", DECLARANT,
                     "The integrity unit asked you a question about BI-2027-0001 on 10 January "
                     "2027 and is still waiting for your answer. It cannot decide until you "
                     "reply.")]
    assert remind(store, plan, clock.on(dt.date(2027, 1, 18))) == []
    again = remind(store, plan, clock.on(dt.date(2027, 1, 24)))
    assert ("information_unanswered", DECLARANT) in kinds(again)
    with store.transaction() as session:
        provide_information(session, rules(plan), reference, "Six", person_in(session,
                                                                              DECLARANT),
                            now=clock())
    assert [m for m in remind(store, plan, clock.on(dt.date(2027, 1, 31)))
            if m[1] == DECLARANT] == []


def test_a_declaration_left_unfinished_for_a_day_reminds_its_declarant_once(
        unit: Settings, store: Store, plan: ReminderPlan) -> None:
    touched = dt.datetime(2027, 2, 1, 16, 30, tzinfo=dt.UTC)
    with store.transaction() as session:
        save_draft(session, Draft(f"console:{DECLARANT}", "gift_hospitality",
                                  {"answers": {"value": "£40"}}), touched,
                   unit.draft_expiry_hours)
        # A report in progress is never stored (persist_draft: false), and any other
        # conversation state is not a declaration: neither is reminded.
        save_draft(session, Draft(f"console:{MANAGER}", None, {"offer": "x"}), touched, 72)
    clock = Clock(dt.date(2027, 2, 2))
    clock.now = touched + dt.timedelta(hours=23)
    assert remind(store, plan, clock) == []
    clock.now = touched + dt.timedelta(hours=24)
    made = remind(store, plan, clock)
    assert made == [("draft_unfinished", DECLARANT,
                     "Your declaration of a gift or hospitality is not finished. Carry on "
                     "where you left off in a new chat with me; the draft is deleted on "
                     "4 February 2027 if it is left.")]
    clock.now += dt.timedelta(hours=12)
    assert remind(store, plan, clock) == []
    with store.transaction() as session:
        delete_draft(session, f"console:{DECLARANT}")
    clock.now += dt.timedelta(days=1)
    assert remind(store, plan, clock) == []


def test_pending_reminders_are_shown_at_the_start_of_the_next_chat_and_only_once(
        unit: Settings, store: Store, plan: ReminderPlan, probity_env: dict[str, str]) -> None:
    reference = file_interest(store, dt.datetime(2027, 1, 4, 15, tzinfo=dt.UTC))
    with store.transaction() as session:
        request_information(session, rules(plan), reference, "How many hours a week?",
                            person_in(session, HANDLER),
                            now=dt.datetime(2027, 1, 10, tzinfo=dt.UTC))
    remind(store, plan, Clock(dt.date(2027, 1, 17)))

    def chat() -> str:
        return subprocess.run([sys.executable, "-m", "bot.cli", "chat", "--as", "Amira Khan"],
                              input="/quit\n", capture_output=True, text=True, env=probity_env,
                              timeout=120, check=True).stdout

    first = chat()
    assert "Reminders since you were last here:" in first
    assert "asked you a question about BI-2027-0001" in first
    assert "Reminders since" not in chat()
    with store.session() as session:
        shown = session.scalars(select(Notice).where(Notice.kind == "information_unanswered")
                                ).one()
        assert shown.delivered and shown.delivered_on is not None


def test_a_report_enqueues_nothing_until_announced_and_then_only_its_reference(
        unit: Settings, store: Store) -> None:
    from bot.jobs.builtin import build_registry
    from bot.jobs.schedules import fire_now
    from bot.jobs.worker import Worker

    settings = dataclasses.replace(unit, integrity_channel="C0INTEGRITY",
                                   report_notify_delay_max_minutes=0)
    clock = Clock(dt.date(2027, 3, 1))
    _, reference = file_report(store, settings, clock)
    with store.session() as session:
        assert session.scalars(select(Job)).all() == []  # nothing dated by the act
    registry = build_registry(settings, store, clock=clock)  # no Slack client here
    announce = next(s for s in registry.schedules if s.name == "announce-reports")
    clock.now += dt.timedelta(hours=3)
    with store.transaction() as session:
        fire_now(session, announce, clock())
    Worker(store, registry, clock=clock).run_until_idle()
    with store.session() as session:
        [post] = session.scalars(select(Job).where(Job.kind == "slack.post")).all()
    assert post.state == "queued"  # waits for a worker that can reach Slack
    assert post.payload == {
        "channel": "C0INTEGRITY",
        "text": f"New report {reference} received, due for acknowledgement by 8 March 2027.",
        "buttons": [{"label": "Read report", "action": "read_report", "reference": reference}]}
    assert post.idempotency_key == f"report-announced:{reference}"
    # Dated to the day only (due from its start), and deleted once sent (tests/test_jobs).
    assert post.day_only and post.run_at == dt.datetime(2027, 3, 1, tzinfo=dt.UTC)


def test_probity_serve_runs_the_worker_unless_told_not_to() -> None:
    from bot.cli import build_parser

    assert build_parser(["serve"]).parse_args(["serve"]).worker is True
    assert build_parser(["serve"]).parse_args(["serve", "--http", "--no-worker"]).worker is False
