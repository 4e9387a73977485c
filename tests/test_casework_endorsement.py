"""The line manager's endorsement: only the named manager, kept as advice beside the decision."""

from __future__ import annotations

import dataclasses

import pytest
from fixtures.casework import factory
from fixtures.casework.factory import at
from sqlalchemy import select

from bot.casework.errors import CaseworkError, NotAuthorised
from bot.casework.queries import current_decision
from bot.casework.service import Casework
from bot.config import Settings
from bot.store import Store
from bot.store.audit import verify_chain
from bot.store.models import AuditEvent, Declaration, Person


@pytest.fixture
def people(store: Store) -> dict[str, Person]:
    with store.transaction() as session:
        return {
            "officer": factory.person(session, "psd.khan", "Sam Khan", team="PSD"),
            "manager": factory.person(session, "sgt.reid", "Tom Reid", rank="Sgt"),
            "declarant": factory.person(session, "pc.jones", "Chris Jones", rank="PC"),
            "colleague": factory.person(session, "pc.lee", "Dana Lee", rank="PC"),
        }


@pytest.fixture
def casework(store: Store, settings: Settings) -> Casework:
    return Casework(store, dataclasses.replace(settings, handlers=("psd.khan",)))


def _file(store: Store, people: dict[str, Person],
          approvers: tuple[str, ...] = ("line_manager", "psd"),
          status: str | None = None) -> str:
    with store.transaction() as session:
        declaration = factory.declaration(
            session, session.get(Person, people["declarant"].id), "gift_hospitality",
            line_manager_id=people["manager"].id, approvers=list(approvers))
        if status:
            declaration.status = status
        return declaration.reference


def _reload(store: Store, reference: str) -> Declaration:
    with store.session() as session:
        found = session.scalars(select(Declaration).where(
            Declaration.reference == reference)).one()
        _ = (found.decisions, found.history)
        return found


def _actions(store: Store) -> list[str]:
    with store.session() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_named_line_manager_endorses_and_the_unit_still_decides(
        store: Store, casework: Casework, people: dict[str, Person]) -> None:
    reference = _file(store, people)
    endorsement = casework.endorse(reference, True, "Known club; modest hospitality.",
                                   by=people["manager"], now=at("2026-07-02"))

    assert (endorsement.stage, endorsement.outcome) == ("endorsement", "endorsed")
    record = _reload(store, reference)
    assert record.status == "submitted"  # still the unit's to decide
    assert current_decision(record) is None
    assert record.history[-1].note == "Known club; modest hospitality."
    assert record.history[-1].by_person_id == people["manager"].id
    assert "declaration.endorsed" in _actions(store)

    decision = casework.decide(reference, "approved", "Endorsed and within policy.",
                               by=people["officer"], now=at("2026-07-03"))
    record = _reload(store, reference)
    assert record.status == "approved"
    assert current_decision(record).id == decision.id
    # The decision does not claim to supersede the endorsement; both are kept.
    assert decision.supersedes_id is None
    assert [d.stage for d in record.decisions] == ["endorsement", "initial"]
    with store.session() as session:
        assert verify_chain(session).intact


def test_not_endorsing_is_recorded_with_its_reasons(
        store: Store, casework: Casework, people: dict[str, Person]) -> None:
    reference = _file(store, people)
    first = casework.endorse(reference, True, "Looks fine.", by=people["manager"])
    second = casework.endorse(reference, False, "On reflection: the club is bidding for our "
                              "contract.", by=people["manager"])
    assert second.outcome == "not_endorsed" and second.supersedes_id == first.id
    record = _reload(store, reference)
    assert [d.outcome for d in record.decisions] == ["endorsed", "not_endorsed"]  # none deleted


def test_a_record_awaiting_endorsement_goes_back_to_the_unit(
        store: Store, casework: Casework, people: dict[str, Person]) -> None:
    reference = _file(store, people, status="awaiting_endorsement")
    casework.endorse(reference, True, "Fine by me.", by=people["manager"])
    record = _reload(store, reference)
    assert (record.history[-1].from_status, record.history[-1].to_status) == (
        "awaiting_endorsement", "submitted")


@pytest.mark.parametrize("who", ["colleague", "declarant", "officer"])
def test_only_the_named_line_manager_may_endorse_and_others_are_audited(
        store: Store, casework: Casework, people: dict[str, Person], who: str) -> None:
    reference = _file(store, people)
    with pytest.raises(NotAuthorised):
        casework.endorse(reference, True, "Approve my own.", by=people[who])
    record = _reload(store, reference)
    assert record.decisions == [] and len(record.history) == 1
    assert _actions(store)[-1] == "casework.refused"


def test_an_endorsement_needs_a_reason_a_route_that_asks_and_an_open_record(
        store: Store, casework: Casework, people: dict[str, Person]) -> None:
    reference = _file(store, people)
    with pytest.raises(CaseworkError, match="Say why"):
        casework.endorse(reference, True, "  ", by=people["manager"])
    psd_only = _file(store, people, approvers=("psd",))
    with pytest.raises(CaseworkError, match="does not ask"):
        casework.endorse(psd_only, True, "Fine.", by=people["manager"])
    casework.decide(reference, "approved", "Within policy.", by=people["officer"])
    with pytest.raises(CaseworkError, match="already approved"):
        casework.endorse(reference, True, "Fine.", by=people["manager"])
    assert [d.stage for d in _reload(store, reference).decisions] == ["initial"]


def test_the_line_manager_is_asked_to_endorse_only_when_the_route_needs_it_on_their_surface(
) -> None:
    from bot.casework.endorsement import endorser_to_ask
    from bot.store.models import Declaration as Record
    from bot.store.models import Person as Someone

    manager = Someone(surface="slack", surface_id="U0SGT", display_name="Tom Reid")
    needs = Record(approvers=["line_manager", "integrity_unit"], line_manager=manager)
    assert endorser_to_ask(needs, "slack") is manager
    assert endorser_to_ask(needs, "console") is None  # no Slack DM to a terminal user
    unit_only = Record(approvers=["integrity_unit"], line_manager=manager)
    assert endorser_to_ask(unit_only, "slack") is None
    assert endorser_to_ask(Record(approvers=["line_manager"]), "slack") is None
