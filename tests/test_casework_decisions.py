"""Deciding declarations of every kind, appeals, follow-up dates and who may act."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from fixtures.casework import factory
from fixtures.casework.factory import at
from sqlalchemy import select

from bot.casework.errors import CaseworkError, NotAuthorised
from bot.casework.notify import RecordingNotifier
from bot.casework.service import Casework
from bot.config import Settings
from bot.store import Store
from bot.store.audit import verify_chain
from bot.store.models import Appeal, AuditEvent, Decision, Declaration, Person, StatusChange


@pytest.fixture
def people(store: Store) -> dict[str, Person]:
    with store.transaction() as session:
        made = {
            "officer": factory.person(session, "psd.khan", "Sam Khan", rank="Inspector",
                                      role="PSD decision maker", team="PSD"),
            "second": factory.person(session, "psd.okafor", "Ada Okafor", rank="Chief Inspector",
                                     role="Head of ACU", team="PSD"),
            "declarant": factory.person(session, "pc.jones", "Chris Jones", rank="PC",
                                        role="Response officer", team="Response North"),
            "colleague": factory.person(session, "pc.lee", "Dana Lee", rank="PC",
                                        team="Response North"),
        }
    return made


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def casework(store: Store, settings: Settings, notifier: RecordingNotifier) -> Casework:
    configured = dataclasses.replace(settings, handlers=("psd.khan", "psd.okafor"))
    return Casework(store, configured, notifier)


def _file(store: Store, who: Person, kind: str, **typed: object) -> str:
    with store.transaction() as session:
        return factory.declaration(session, session.get(Person, who.id), kind, **typed).reference


def _reload(store: Store, reference: str) -> Declaration:
    with store.transaction() as session:
        found = session.scalars(select(Declaration).where(
            Declaration.reference == reference)).one()
        _ = (found.decisions, found.history)
        return found


@pytest.mark.parametrize(("kind", "outcome", "conditions", "status"), [
    ("gift_hospitality", "approved", None, "approved"),
    ("gift_hospitality", "refused", None, "refused"),
    ("gift_hospitality", "noted", None, "noted"),
    ("gift_hospitality", "approved_with_conditions", "Share with the team",
     "approved_with_conditions"),
    ("business_interest", "approved", None, "approved"),
    ("business_interest", "approved with conditions", "No work within 10 hours of a shift",
     "approved_with_conditions"),
    ("business_interest", "refuse", None, "refused"),
    ("notifiable_association", "aware only", None, "noted"),
    ("notifiable_association", "permitted_with_conditions", "No discussion of police work",
     "approved_with_conditions"),
    ("notifiable_association", "inappropriate", None, "refused"),
])
def test_every_kind_can_be_decided_with_a_rationale(
    store: Store, casework: Casework, people: dict[str, Person], notifier: RecordingNotifier,
    kind: str, outcome: str, conditions: str | None, status: str,
) -> None:
    reference = _file(store, people["declarant"], kind)

    decision = casework.decide(reference, outcome, "Weighed against section 6.",
                               conditions=conditions, by=people["officer"],
                               now=at("2026-07-10"))

    assert decision.stage == "initial"
    assert decision.conditions == conditions
    record = _reload(store, reference)
    assert record.status == status
    assert record.decided_at == at("2026-07-10")
    assert [change.to_status for change in record.history] == ["submitted", status]
    [notice] = notifier.sent
    assert notice.reference == reference and notice.surface_id == "pc.jones"
    assert "Weighed against section 6." in notice.text


def test_an_outcome_from_another_kind_is_refused_with_the_valid_choices(
    store: Store, casework: Casework, people: dict[str, Person],
) -> None:
    reference = _file(store, people["declarant"], "notifiable_association")
    with pytest.raises(CaseworkError, match="aware_only, permitted_with_conditions, inappropriate"):
        casework.decide(reference, "approved", "Fine.", by=people["officer"])


def test_a_decision_needs_a_rationale_and_conditional_outcomes_need_conditions(
    store: Store, casework: Casework, people: dict[str, Person],
) -> None:
    reference = _file(store, people["declarant"], "business_interest")
    with pytest.raises(CaseworkError, match="rationale"):
        casework.decide(reference, "approved", "   ", by=people["officer"])
    with pytest.raises(CaseworkError, match="conditions"):
        casework.decide(reference, "approved_with_conditions", "Low risk.", by=people["officer"])
    with pytest.raises(CaseworkError, match="takes no conditions"):
        casework.decide(reference, "approved", "Low risk.", conditions="x", by=people["officer"])
    assert _reload(store, reference).status == "submitted"


def test_business_interest_dates_follow_the_decision(
    store: Store, casework: Casework, people: dict[str, Person],
) -> None:
    approved = _file(store, people["declarant"], "business_interest")
    conditional = _file(store, people["declarant"], "business_interest")
    refused = _file(store, people["declarant"], "business_interest")
    officer = people["officer"]

    casework.decide(approved, "approved", "No conflict.", by=officer, now=at("2026-02-28"))
    casework.decide(conditional, "approved_with_conditions", "Manageable.",
                    conditions="Not in uniform", by=officer, now=at("2026-03-01"))
    casework.decide(refused, "refused", "Door work in the force area.", by=officer,
                    now=at("2026-03-02"))

    assert (_reload(store, approved).review_due, _reload(store, approved).compliance_check_due) \
        == (dt.date(2027, 2, 28), None)
    assert (_reload(store, conditional).review_due,
            _reload(store, conditional).compliance_check_due) \
        == (dt.date(2027, 3, 1), dt.date(2026, 5, 30))
    assert (_reload(store, refused).review_due, _reload(store, refused).compliance_check_due) \
        == (None, dt.date(2026, 5, 31))


def test_gifts_and_associations_get_no_business_interest_dates(
    store: Store, casework: Casework, people: dict[str, Person],
) -> None:
    reference = _file(store, people["declarant"], "gift_hospitality")
    casework.decide(reference, "refused", "Supplier in tender.", by=people["officer"])
    record = _reload(store, reference)
    assert (record.review_due, record.compliance_check_due) == (None, None)


def test_a_review_decision_supersedes_the_standing_one_and_keeps_it(
    store: Store, casework: Casework, people: dict[str, Person],
) -> None:
    reference = _file(store, people["declarant"], "business_interest")
    first = casework.decide(reference, "approved", "No conflict.", by=people["officer"],
                            now=at("2026-01-10"))
    second = casework.decide(reference, "approved_with_conditions", "Hours have grown.",
                             conditions="At most 10 hours a week", by=people["officer"],
                             now=at("2027-01-12"))

    assert second.stage == "review" and second.supersedes_id == first.id
    record = _reload(store, reference)
    assert [d.outcome for d in record.decisions] == ["approved", "approved_with_conditions"]
    assert record.decided_at == at("2026-01-10")  # time to decision counts the first only
    assert record.review_due == dt.date(2028, 1, 12)


def test_appeal_is_its_own_step_and_decision(
    store: Store, casework: Casework, people: dict[str, Person], notifier: RecordingNotifier,
) -> None:
    reference = _file(store, people["declarant"], "business_interest")
    refusal = casework.decide(reference, "refused", "Taxi work in the force area.",
                              by=people["officer"], now=at("2026-03-02"))
    with pytest.raises(CaseworkError, match="only a refusal|has no appeal"):
        casework.decide_appeal(reference, "upheld", "x", by=people["second"])

    appeal = casework.lodge_appeal(reference, "I only drive outside the force area.",
                                   by=people["declarant"], now=at("2026-03-05"))
    assert _reload(store, reference).status == "appealed"
    with pytest.raises(CaseworkError, match="another integrity officer"):
        casework.decide_appeal(reference, "upheld", "Agreed.", by=people["officer"])

    decision = casework.decide_appeal(
        reference, "upheld", "Work is outside the force area.",
        conditions="No fares within the force area", by=people["second"], now=at("2026-03-20"))

    assert (decision.stage, decision.outcome, decision.supersedes_id) == \
        ("appeal", "appeal_upheld", refusal.id)
    record = _reload(store, reference)
    assert record.status == "approved_with_conditions"
    assert record.review_due == dt.date(2027, 3, 20)
    assert record.compliance_check_due == dt.date(2026, 6, 18)
    with store.transaction() as session:
        stored = session.get(Appeal, appeal.id)
        assert stored.decision_id == decision.id
    assert notifier.sent[-1].event == "appeal_decision"
    assert "Your appeal on" in notifier.sent[-1].text


def test_a_dismissed_appeal_leaves_the_refusal_and_its_compliance_check(
    store: Store, casework: Casework, people: dict[str, Person],
) -> None:
    reference = _file(store, people["declarant"], "business_interest")
    casework.decide(reference, "refused", "Private investigation work.", by=people["officer"],
                    now=at("2026-03-02"))
    casework.lodge_appeal(reference, "It is only process serving.", by=people["declarant"])
    casework.decide_appeal(reference, "dismissed", "Still PI work.", by=people["second"],
                           now=at("2026-03-30"))
    record = _reload(store, reference)
    assert record.status == "refused"
    assert record.compliance_check_due == dt.date(2026, 5, 31)
    assert [d.stage for d in record.decisions] == ["initial", "appeal"]


def test_only_the_declarant_or_an_officer_may_appeal(
    store: Store, casework: Casework, people: dict[str, Person],
) -> None:
    reference = _file(store, people["declarant"], "business_interest")
    casework.decide(reference, "refused", "Conflict.", by=people["officer"])
    with pytest.raises(NotAuthorised):
        casework.lodge_appeal(reference, "Let them.", by=people["colleague"])


def test_a_change_of_circumstances_supersedes_and_reopens_review(
    store: Store, casework: Casework, people: dict[str, Person],
) -> None:
    old = _file(store, people["declarant"], "business_interest",
                answers={"employer": "Northmoor Cabs", "hours_per_week": 8})
    first = casework.decide(old, "approved", "Few hours.", by=people["officer"],
                            now=at("2026-02-01"))

    new = casework.record_change_of_circumstances(
        old, "Hours going up to 20 a week.", by=people["declarant"],
        changes_={"hours_per_week": 20}, now=at("2026-06-01"))

    previous = _reload(store, old)
    assert previous.status == "superseded" and previous.superseded_by_id == new.id
    assert [d.id for d in previous.decisions] == [first.id]  # kept, never deleted
    assert new.status == "submitted" and new.reference != old
    assert new.answers == {"employer": "Northmoor Cabs", "hours_per_week": 20,
                           "change_of_circumstances": "Hours going up to 20 a week."}
    assert new.decision_due == dt.date(2026, 6, 29)
    review = casework.decide(new.reference, "refused", "20 hours is too many.",
                             by=people["officer"], now=at("2026-06-10"))
    assert review.stage == "review"
    with pytest.raises(CaseworkError, match="superseded"):
        casework.decide(old, "approved", "x", by=people["officer"])


def test_asking_for_information_and_getting_an_answer(
    store: Store, casework: Casework, people: dict[str, Person], notifier: RecordingNotifier,
) -> None:
    reference = _file(store, people["declarant"], "gift_hospitality")
    casework.request_information(reference, "Who else was at the dinner?", by=people["officer"])
    assert _reload(store, reference).status == "information_requested"
    assert notifier.sent[-1].event == "information_requested"
    assert "Who else was at the dinner?" in notifier.sent[-1].text
    casework.provide_information(reference, "Two other inspectors.", by=people["declarant"])
    record = _reload(store, reference)
    assert record.status == "submitted"
    assert record.history[-1].note == "Two other inspectors."


def test_a_non_officer_is_refused_and_the_attempt_is_audited(
    store: Store, casework: Casework, people: dict[str, Person], notifier: RecordingNotifier,
) -> None:
    reference = _file(store, people["declarant"], "gift_hospitality")
    with pytest.raises(NotAuthorised, match="not an integrity officer"):
        casework.decide(reference, "approved", "Looks fine to me.", by=people["declarant"])

    with store.transaction() as session:
        assert session.scalars(select(Decision)).all() == []
        refusal = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "casework.refused")).one()
        assert (refusal.actor, refusal.subject, refusal.details) == (
            f"person:{people['declarant'].id}", reference, {"step": "decide"})
        assert verify_chain(session).intact
    assert notifier.sent == []
    assert _reload(store, reference).status == "submitted"


def test_a_slack_user_listed_by_id_is_an_officer(
    store: Store, settings: Settings, people: dict[str, Person],
) -> None:
    with store.transaction() as session:
        slack_user = factory.person(session, "U0PSD1", "Lee Slack", surface="slack")
    service = Casework(store, dataclasses.replace(settings, handlers=("U0PSD1",)))
    assert service.is_integrity_officer(slack_user)
    assert not service.is_integrity_officer(people["officer"])


def test_every_step_is_in_the_audit_log(
    store: Store, casework: Casework, people: dict[str, Person],
) -> None:
    reference = _file(store, people["declarant"], "business_interest")
    casework.decide(reference, "refused", "Conflict.", by=people["officer"])
    casework.lodge_appeal(reference, "Grounds.", by=people["declarant"])
    casework.decide_appeal(reference, "dismissed", "Still conflicted.", by=people["second"])
    with store.transaction() as session:
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject == reference).order_by(AuditEvent.id)).all()
        steps = session.scalars(select(StatusChange.to_status).order_by(StatusChange.id)).all()
        assert verify_chain(session).intact
    assert actions == [
        "declaration.status",
        "declaration.status", "declaration.decided",
        "declaration.status", "declaration.appeal_lodged",
        "declaration.status", "declaration.appeal_decided",
    ]
    assert steps == ["submitted", "refused", "appealed", "refused"]
