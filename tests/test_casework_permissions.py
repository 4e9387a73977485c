"""Who may answer the integrity unit's question and who may endorse: the rules surfaces ask."""

from bot.casework.authorisation import can_answer
from bot.casework.endorsement import can_endorse
from bot.store.models import Declaration, Person

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
