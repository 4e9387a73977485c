"""Reminders: what is due or late, told to the person who can act, once per period.

Each rule reads the records as they are today and proposes reminders; a reminder becomes a
notice unless one with the same dedupe key (kind, record, person, period) exists, so a
reminder is sent once per period however often this runs, and stops the day its record is
done. A notice still unseen when its record is done is withdrawn.

Reports: handlers are reminded of a report's deadlines, which count from the day it was
stored, and of nothing else; no reminder is about a reporter, and none is finer than a day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.casework.followup import REVIEW_STATUSES, decision_due, overdue
from bot.casework.queries import OPEN_STATUSES
from bot.casework.rules import CaseworkRules
from bot.handlers import is_handler
from bot.jobs.notices import Reminder, add_notice, withdraw_stale
from bot.reporting.deadlines import breaches
from bot.store.models import (
    Conversation,
    Declaration,
    DeclarationKind,
    DeclarationStatus,
    Notice,
    Person,
    StatusChange,
)
from bot.store.vault.models import Report, ReportStatus

#: Sends a new notice on the person's surface (see Registry.deliver_notices).
DeliveryFor = Callable[[str], Callable[[Session, Notice, Person], None] | None]

READ_REPORT = {"action": "read_report"}
ANSWER_REQUEST = {"action": "answer_request"}


@dataclass(frozen=True)
class ReminderPlan:
    """When each reminder is due; built from settings by the composition root."""

    rules: CaseworkRules
    #: Declaration workflows whose drafts the store keeps: name -> noun ("a gift or hospitality").
    draft_workflows: Mapping[str, str] = field(default_factory=dict)
    review_notice_days: int = 30
    compliance_notice_days: int = 14
    acknowledge_notice_days: int = 2
    feedback_notice_days: int = 14
    information_unanswered_days: int = 7
    draft_unfinished: dt.timedelta = dt.timedelta(days=1)

    def today(self, now: dt.datetime) -> dt.date:
        return self.rules.local_date(now)


#: Every kind send_reminders makes (the weekly digest is made by send_late_digest).
DAILY_KINDS = frozenset({
    "review_due_soon", "review_overdue", "compliance_check_due_soon",
    "compliance_check_overdue", "decision_late", "report_acknowledge_soon",
    "report_acknowledge_missed", "report_feedback_soon", "report_feedback_missed",
    "information_unanswered", "draft_unfinished",
})


def send_reminders(session: Session, plan: ReminderPlan, now: dt.datetime,
                   delivery_for: DeliveryFor = lambda surface: None) -> list[Notice]:
    """Make today's reminders into notices and hand each to its surface; the new notices."""
    today = plan.today(now)
    wanted = [*business_interest_reminders(session, plan, today),
              *late_decision_reminders(session, plan, today),
              *report_deadline_reminders(session, plan, today),
              *information_request_reminders(session, plan, today),
              *draft_reminders(session, plan, now)]
    withdraw_stale(session, DAILY_KINDS,
                   {(r.kind, r.subject, r.person.id) for r in wanted}, today)
    return _send(session, wanted, today, delivery_for)


def send_late_digest(session: Session, plan: ReminderPlan, now: dt.datetime,
                     delivery_for: DeliveryFor = lambda surface: None) -> list[Notice]:
    """The weekly digest to the integrity unit of everything late; none when nothing is."""
    today = plan.today(now)
    late = overdue(session, plan.rules, today)
    reports = [report for report in _open_reports(session) if breaches(report, today)]
    if not late and not reports:
        return []
    count = {what: sum(item.what == what for item in late)
             for what in ("decision", "review", "compliance check")}
    references = [item.reference for item in late] + [report.reference for report in reports]
    shown = ", ".join(references[:15]) + (" ..." if len(references) > 15 else "")
    iso = today.isocalendar()
    fields = {"decisions": count["decision"], "reviews": count["review"],
              "checks": count["compliance check"], "reports": len(reports),
              "references": shown, "week_of": _day(today)}
    wanted = [Reminder("late_digest", "digest", person, "reminders.late_digest",
                       f"{iso.year}-W{iso.week:02d}", fields)
              for person in _handler_people(session, plan)]
    return _send(session, wanted, today, delivery_for)


def _send(session: Session, wanted: Iterable[Reminder], today: dt.date,
          delivery_for: DeliveryFor) -> list[Notice]:
    made = []
    for reminder in wanted:
        notice = add_notice(session, reminder, today)
        if notice is None:
            continue
        deliver = delivery_for(reminder.person.surface)
        if deliver is not None:
            deliver(session, notice, reminder.person)
        made.append(notice)
    return made


# The rules ------------------------------------------------------------------------------

def business_interest_reminders(session: Session, plan: ReminderPlan,
                                today: dt.date) -> Iterator[Reminder]:
    """12-month reviews (due within the notice days, then weekly when overdue) and the
    compliance checks of conditional approvals, to the declarant and their line manager."""
    interests = session.scalars(select(Declaration).where(
        Declaration.kind == DeclarationKind.BUSINESS_INTEREST,
        Declaration.status.in_(sorted(REVIEW_STATUSES))).order_by(Declaration.id))
    for declaration in interests:
        if declaration.review_due is not None:
            yield from _due_or_late(declaration, "review", declaration.review_due,
                                    plan.review_notice_days, today)
        if declaration.status == DeclarationStatus.APPROVED_WITH_CONDITIONS and \
                declaration.compliance_check_due is not None:
            yield from _due_or_late(declaration, "compliance_check",
                                    declaration.compliance_check_due,
                                    plan.compliance_notice_days, today)


def _due_or_late(declaration: Declaration, what: str, due: dt.date, notice_days: int,
                 today: dt.date) -> Iterator[Reminder]:
    if due - dt.timedelta(days=notice_days) <= today <= due:
        kind, period = f"{what}_due_soon", due.isoformat()
    elif today > due:
        kind, period = f"{what}_overdue", _late_week(due, today)
    else:
        return
    fields = {"reference": declaration.reference, "due": _day(due),
              "declarant": declaration.person.display_name}
    for person, role in _declarant_and_manager(declaration):
        yield Reminder(kind, declaration.reference, person, f"reminders.{kind}_{role}", period,
                       fields)


def late_decision_reminders(session: Session, plan: ReminderPlan,
                            today: dt.date) -> Iterator[Reminder]:
    """Declarations still undecided after their target, once each, to the integrity unit."""
    handlers = _handler_people(session, plan)
    if not handlers:
        return
    waiting = session.scalars(select(Declaration).where(
        Declaration.status.in_(sorted(OPEN_STATUSES))).order_by(Declaration.id))
    for declaration in waiting:
        due = decision_due(declaration, plan.rules)
        if today <= due:
            continue
        fields = {"reference": declaration.reference, "due": _day(due),
                  "status": declaration.status.replace("_", " ")}
        for person in handlers:
            yield Reminder("decision_late", declaration.reference, person,
                           "reminders.decision_late", due.isoformat(), fields)


def report_deadline_reminders(session: Session, plan: ReminderPlan,
                              today: dt.date) -> Iterator[Reminder]:
    """A report's 7-day acknowledgement and 3-month feedback deadlines, shortly before and
    weekly once missed, to each handler; only for reports already announced to them."""
    handlers = _handler_people(session, plan)
    if not handlers:
        return
    for report in _open_reports(session):
        found = []
        if report.acknowledged_on is None:
            found += _deadline(report.reference, "acknowledge", report.acknowledge_due,
                               plan.acknowledge_notice_days, today)
        if report.first_feedback_on is None:
            found += _deadline(report.reference, "feedback", report.feedback_due,
                               plan.feedback_notice_days, today)
        for kind, period, fields in found:
            for person in handlers:
                yield Reminder(kind, report.reference, person, f"reminders.{kind}", period,
                               fields, [{**READ_REPORT, "reference": report.reference}])


def _deadline(reference: str, what: str, due: dt.date, notice_days: int, today: dt.date
              ) -> list[tuple[str, str, dict[str, str]]]:
    fields = {"reference": reference, "due": _day(due)}
    if due - dt.timedelta(days=notice_days) <= today <= due:
        return [(f"report_{what}_soon", due.isoformat(), fields)]
    if today > due:
        return [(f"report_{what}_missed", _late_week(due, today), fields)]
    return []


def information_request_reminders(session: Session, plan: ReminderPlan,
                                  today: dt.date) -> Iterator[Reminder]:
    """The integrity unit's question unanswered after the set days: weekly, to the declarant."""
    asked = session.scalars(select(Declaration).where(
        Declaration.status == DeclarationStatus.INFORMATION_REQUESTED).order_by(Declaration.id))
    wait = dt.timedelta(days=plan.information_unanswered_days)
    for declaration in asked:
        request = session.scalars(select(StatusChange).where(
            StatusChange.declaration_id == declaration.id,
            StatusChange.to_status == DeclarationStatus.INFORMATION_REQUESTED)
            .order_by(StatusChange.id.desc()).limit(1)).first()
        if request is None:
            continue
        asked_on = plan.rules.local_date(request.at)
        if today < asked_on + wait:
            continue
        weeks = (today - asked_on - wait).days // 7
        yield Reminder("information_unanswered", declaration.reference, declaration.person,
                       "reminders.information_unanswered", f"{request.id}:w{weeks}",
                       {"reference": declaration.reference, "asked": _day(asked_on)},
                       [{**ANSWER_REQUEST, "reference": declaration.reference}])


def draft_reminders(session: Session, plan: ReminderPlan, now: dt.datetime
                    ) -> Iterator[Reminder]:
    """A declaration left unfinished for a day, once per day it was last touched, before
    the draft expires; to the person whose conversation it is."""
    if not plan.draft_workflows:
        return
    drafts = session.scalars(select(Conversation).where(
        Conversation.workflow.in_(sorted(plan.draft_workflows)),
        Conversation.updated_at <= now - plan.draft_unfinished).order_by(Conversation.id))
    for draft in drafts:
        if draft.expires_at is not None and draft.expires_at <= now:
            continue
        person = _person_for_conversation(session, draft.key)
        if person is None:
            continue
        fields = {"what": plan.draft_workflows[draft.workflow or ""]}
        if draft.expires_at is not None:
            fields["expires"] = _day(plan.rules.local_date(draft.expires_at))
        key = "reminders.draft_unfinished" + ("" if draft.expires_at else "_kept")
        yield Reminder("draft_unfinished", f"draft:{draft.workflow}", person, key,
                       plan.rules.local_date(draft.updated_at).isoformat(), fields)


# Helpers --------------------------------------------------------------------------------

def _open_reports(session: Session) -> list[Report]:
    # Unannounced reports do not exist for handlers yet (bot.reporting.handling).
    return list(session.scalars(select(Report).where(
        Report.handlers_notified.is_(True), Report.status != ReportStatus.CLOSED)
        .order_by(Report.received_on, Report.reference)))


def _handler_people(session: Session, plan: ReminderPlan) -> list[Person]:
    if not plan.rules.handlers:
        return []
    return [person for person in session.scalars(select(Person).order_by(Person.id))
            if is_handler(person.surface, person.surface_id, plan.rules.handlers)]


def _declarant_and_manager(declaration: Declaration) -> list[tuple[Person, str]]:
    people = [(declaration.person, "declarant")]
    manager = declaration.person.line_manager or declaration.line_manager
    if manager is not None and manager.id != declaration.person_id:
        people.append((manager, "manager"))
    return people


def _person_for_conversation(session: Session, key: str) -> Person | None:
    """The person a conversation key belongs to: "<surface>:...:<their id on it>[:place]"."""
    surface, _, rest = key.partition(":")
    candidates = set(rest.split(":")) | {rest}
    return session.scalars(select(Person).where(
        Person.surface == surface, Person.surface_id.in_(sorted(candidates)))
        .order_by(Person.id).limit(1)).first()


def _late_week(due: dt.date, today: dt.date) -> str:
    """Which week of lateness `today` is in, counted from the first day late: a missed
    deadline is repeated weekly."""
    return f"{due.isoformat()}:late-w{((today - due).days - 1) // 7}"


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"
