"""The casework service surfaces call: one transaction per step, refusals audited, declarant told.

Slack's buttons and modals and the `probity casework` commands both come through here, so
authorisation, auditing and notification behave the same whichever surface is used.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.casework import appeals, changes, decisions, endorsement, followup
from bot.casework.authorisation import is_integrity_officer, record_refusal
from bot.casework.errors import CaseworkError
from bot.casework.notify import (
    DeclarantNotice,
    Notifier,
    StoredOnlyNotifier,
    decision_notice,
    question_notice,
)
from bot.casework.queries import get_declaration
from bot.casework.rules import CaseworkRules
from bot.config import Settings
from bot.messages import say
from bot.store import Store
from bot.store.models import Appeal, Decision, Declaration, Person, StatusChange

log = logging.getLogger(__name__)


class Step(StrEnum):
    """The name of a casework step in the audit trail (`casework.refused` rows' `step`).

    Identifiers, not wording: they are stored in audit rows and searched for, so they stay
    the same whatever language Probity speaks; what a person reads is casework.step_*.
    """

    DECIDE = "decide"
    REQUEST_INFORMATION = "request information"
    ENDORSE = "endorse"
    PROVIDE_INFORMATION = "provide information"
    LODGE_APPEAL = "lodge an appeal"
    DECIDE_APPEAL = "decide an appeal"
    RECORD_CHANGE = "record a change of circumstances"
    RECORD_COMPLIANCE_CHECK = "record a compliance check"
R = TypeVar("R")
PersonRef = Person | int


class Casework:
    """The integrity unit's actions on declarations."""

    def __init__(self, store: Store, settings: Settings, notifier: Notifier | None = None,
                 rules: CaseworkRules | None = None) -> None:
        self.store = store
        self.settings = settings
        self.rules = rules or CaseworkRules.from_settings(settings)
        self.notifier: Notifier = notifier or StoredOnlyNotifier()

    def is_integrity_officer(self, person: Person | None) -> bool:
        return is_integrity_officer(person, self.rules.handlers)

    def decide(self, reference: str, outcome: str, rationale: str, *, by: PersonRef,
               conditions: str | None = None, now: dt.datetime | None = None) -> Decision:
        def work(session: Session, person: Person) -> tuple[Decision, DeclarantNotice]:
            decision = decisions.decide(session, self.rules, reference, outcome, rationale,
                                        person, conditions=conditions, now=now)
            return decision, decision_notice(decision.declaration, decision)
        return self._run(Step.DECIDE, reference, by, work)

    def request_information(self, reference: str, question: str, *, by: PersonRef,
                            now: dt.datetime | None = None) -> StatusChange:
        def work(session: Session, person: Person) -> tuple[StatusChange, DeclarantNotice]:
            change = decisions.request_information(session, self.rules, reference, question,
                                                   person, now=now)
            return change, question_notice(change.declaration, question.strip())
        return self._run(Step.REQUEST_INFORMATION, reference, by, work)

    def endorse(self, reference: str, endorsed: bool, rationale: str, *, by: PersonRef,
                now: dt.datetime | None = None) -> Decision:
        """The named line manager's endorsement; anyone else is refused and audited."""
        return self._run(Step.ENDORSE, reference, by, lambda session, person: (
            endorsement.endorse(session, reference, endorsed, rationale, person, now=now),
            None))

    def provide_information(self, reference: str, answer: str, *, by: PersonRef,
                            now: dt.datetime | None = None) -> StatusChange:
        return self._run(Step.PROVIDE_INFORMATION, reference, by, lambda session, person: (
            decisions.provide_information(session, self.rules, reference, answer, person,
                                          now=now), None))

    def lodge_appeal(self, reference: str, grounds: str, *, by: PersonRef,
                     now: dt.datetime | None = None) -> Appeal:
        return self._run(Step.LODGE_APPEAL, reference, by, lambda session, person: (
            appeals.lodge_appeal(session, self.rules, reference, grounds, person, now=now), None))

    def decide_appeal(self, reference: str, outcome: str, rationale: str, *, by: PersonRef,
                      conditions: str | None = None, now: dt.datetime | None = None) -> Decision:
        def work(session: Session, person: Person) -> tuple[Decision, DeclarantNotice]:
            decision = appeals.decide_appeal(session, self.rules, reference, outcome, rationale,
                                             person, conditions=conditions, now=now)
            return decision, decision_notice(decision.declaration, decision)
        return self._run(Step.DECIDE_APPEAL, reference, by, work)

    def record_change_of_circumstances(
        self, reference: str, description: str, *, by: PersonRef,
        changes_: Mapping[str, Any] | None = None, now: dt.datetime | None = None,
    ) -> Declaration:
        return self._run(Step.RECORD_CHANGE, reference, by,
                         lambda session, person: (changes.record_change_of_circumstances(
                             session, self.rules, reference, description, person,
                             changes=changes_, now=now), None))

    def record_compliance_check(
        self, reference: str, compliant: bool, note: str, *, by: PersonRef,
        next_check: dt.date | None = None, now: dt.datetime | None = None,
    ) -> StatusChange:
        return self._run(Step.RECORD_COMPLIANCE_CHECK, reference, by, lambda session, person: (
            followup.record_compliance_check(session, self.rules, reference, compliant, note,
                                             person, next_check=next_check, now=now), None))

    def declaration(self, reference: str) -> Declaration:
        with self.store.transaction() as session:
            found = get_declaration(session, reference)
            # Load what callers read after the session closes.
            _ = (found.person, found.decisions, found.history)
            return found

    def _run(self, step: Step, reference: str, by: PersonRef,
             work: Callable[[Session, Person], tuple[R, DeclarantNotice | None]]) -> R:
        person_id = by.id if isinstance(by, Person) else by
        try:
            with self.store.transaction() as session:
                person = session.get(Person, person_id)
                if person is None:
                    raise CaseworkError(say("casework.no_such_staff_id", id=person_id))
                result, notice = work(session, person)
                enqueue = getattr(self.notifier, "enqueue", None)
                if notice is not None and enqueue is not None:
                    # An outbox notifier writes the message with the change that causes it.
                    enqueue(session, notice)
                    notice = None
        except PermissionError:
            # The step rolled back, so the refusal is written in a transaction of its own.
            with self.store.transaction() as session:
                record_refusal(session, session.get(Person, person_id), step, reference)
            raise
        if notice is not None:
            self._tell(notice)
        return result

    def _tell(self, notice: DeclarantNotice) -> None:
        # The decision is committed whatever happens here; a failed DM must not undo it,
        # and the declarant still sees the outcome under "my declarations".
        try:
            self.notifier.notify(notice)
        except Exception:
            log.exception("could not notify the declarant of %s (%s)", notice.reference,
                          notice.event)
