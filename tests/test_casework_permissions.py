"""Who may answer, endorse and judge a declaration: the rules surfaces ask, and the refusal of
anyone judging their own case (issue 13's self-approval attack)."""

from __future__ import annotations

import dataclasses

import pytest
from fixtures.casework import factory
from sqlalchemy import select

from bot.casework.authorisation import can_answer, has_own_interest
from bot.casework.endorsement import can_endorse
from bot.casework.errors import NotAuthorised
from bot.casework.service import Casework
from bot.config import Settings
from bot.store import Store
from bot.store.models import AuditEvent, Declaration, DeclarationStatus, Person

HANDLERS = ("slack:UOFFICER",)


def _person(id_: int, surface_id: str) -> Person:
    return Person(id=id_, surface="slack", surface_id=surface_id, display_name=surface_id)


DECLARANT = _person(1, "UDECLARANT")
MANAGER = _person(2, "UMANAGER")
OFFICER = _person(3, "UOFFICER")
STRANGER = _person(4, "USTRANGER")
DECLARATION = Declaration(reference="GH-2026-0001", person_id=1, line_manager_id=2)


def test_the_declarant_and_an_integrity_officer_may_answer_and_nobody_else() -> None:
    assert can_answer(DECLARANT, DECLARATION, HANDLERS)
    assert can_answer(OFFICER, DECLARATION, HANDLERS)
    assert not can_answer(MANAGER, DECLARATION, HANDLERS)
    assert not can_answer(STRANGER, DECLARATION, HANDLERS)
    assert not can_answer(None, DECLARATION, HANDLERS)


def test_only_the_named_line_manager_may_endorse() -> None:
    assert can_endorse(MANAGER, DECLARATION)
    assert not can_endorse(DECLARANT, DECLARATION)
    assert not can_endorse(OFFICER, DECLARATION)
    assert not can_endorse(None, DECLARATION)
    assert not can_endorse(MANAGER, Declaration(reference="GH-2026-0002", person_id=1))


def test_a_stake_is_owning_the_record_or_being_its_endorser() -> None:
    routed = Declaration(reference="GH-2026-0003", person_id=1, line_manager_id=2,
                         approvers=["line_manager", "psd"], decisions=[])
    assert has_own_interest(DECLARANT, routed)
    assert has_own_interest(MANAGER, routed)
    assert not has_own_interest(OFFICER, routed)
    assert not has_own_interest(None, routed)


# -- refusals through the service every surface calls (CLI and Slack alike) ----------------


@pytest.fixture
def people(store: Store) -> dict[str, Person]:
    with store.transaction() as session:
        return {
            # Owen Price is in the integrity unit and files his own hamper.
            "owen": factory.person(session, "owen.price", "Owen Price", team="PSD"),
            "officer": factory.person(session, "psd.khan", "Sam Khan", team="PSD"),
            # A sergeant who is also a PSD handler, and line manager of the declarant.
            "manager": factory.person(session, "sgt.reid", "Tom Reid", rank="Sgt"),
            "declarant": factory.person(session, "pc.jones", "Chris Jones", rank="PC"),
        }


@pytest.fixture
def casework(store: Store, settings: Settings) -> Casework:
    handlers = ("owen.price", "psd.khan", "sgt.reid")
    return Casework(store, dataclasses.replace(settings, handlers=handlers))


def _file(store: Store, who: Person, kind: str = "gift_hospitality", **typed: object) -> str:
    with store.transaction() as session:
        return factory.declaration(session, session.get(Person, who.id), kind,
                                   **typed).reference


def _refusals(store: Store) -> list[tuple[str | None, str]]:
    with store.session() as session:
        return [(event.subject, event.details["step"]) for event in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "casework.refused")
            .order_by(AuditEvent.id))]


def _status(store: Store, reference: str) -> str:
    with store.session() as session:
        return session.scalars(select(Declaration.status).where(
            Declaration.reference == reference)).one()


def test_an_officer_cannot_decide_or_question_their_own_declaration(
    store: Store, casework: Casework, people: dict[str, Person],
) -> None:
    hamper = _file(store, people["owen"], value_pence=30_000)
    with pytest.raises(NotAuthorised, match="their own declaration"):
        casework.decide(hamper, "approved", "Within policy", by=people["owen"])
    with pytest.raises(NotAuthorised, match="their own declaration"):
        casework.request_information(hamper, "Who sent it?", by=people["owen"])
    assert _status(store, hamper) == DeclarationStatus.SUBMITTED
    assert _refusals(store) == [(hamper, "decide"), (hamper, "request information")]
    # Another member of the unit decides it as usual.
    casework.decide(hamper, "approved", "Within policy", by=people["officer"])
    assert _status(store, hamper) == DeclarationStatus.APPROVED


def test_a_line_manager_cannot_decide_as_the_unit_what_they_endorsed(
    store: Store, casework: Casework, people: dict[str, Person],
) -> None:
    gift = _file(store, people["declarant"], line_manager_id=people["manager"].id,
                 approvers=["line_manager", "psd"])
    casework.endorse(gift, True, "Seen it, fine", by=people["manager"])
    with pytest.raises(NotAuthorised, match="endorsed it"):
        casework.decide(gift, "approved", "Endorsed already", by=people["manager"])
    assert _refusals(store) == [(gift, "decide")]
    casework.decide(gift, "approved", "Within policy", by=people["officer"])


def test_nobody_endorses_their_own_declaration(
    store: Store, casework: Casework, people: dict[str, Person],
) -> None:
    # A record naming its declarant as their own line manager (a directory slip).
    gift = _file(store, people["declarant"], line_manager_id=people["declarant"].id,
                 approvers=["line_manager", "psd"])
    with pytest.raises(NotAuthorised, match="their own declaration"):
        casework.endorse(gift, True, "Fine by me", by=people["declarant"])
    assert _refusals(store) == [(gift, "endorse")]


def test_nobody_records_a_compliance_check_on_their_own_business_interest(
    store: Store, casework: Casework, people: dict[str, Person],
) -> None:
    interest = _file(store, people["owen"], kind="business_interest")
    casework.decide(interest, "refused", "Conflicts with duties", by=people["officer"])
    with pytest.raises(NotAuthorised, match="their own declaration"):
        casework.record_compliance_check(interest, True, "All stopped", by=people["owen"])
    assert _refusals(store) == [(interest, "record a compliance check")]
