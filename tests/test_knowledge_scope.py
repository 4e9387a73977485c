"""Out-of-scope routes, the relaxed confidence rule with its nonsense floor, and answer trimming."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.knowledge import Knowledge
from bot.knowledge.scope import OUT_OF_SCOPE_DOCUMENT, load_routes
from bot.knowledge.vocabulary import Vocabulary


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    return Knowledge.load(Settings(home=tmp_path_factory.mktemp("home")))


def test_routes_load_and_skip_entries_without_a_contact(tmp_path: Path) -> None:
    path = tmp_path / "out_of_scope.yaml"
    path.write_text(
        "routes:\n"
        "  - topic: Canteen\n    description: lunch and the canteen menu\n"
        "    contact: {name: Facilities, how: ext 1}\n"
        "  - topic: No contact\n    description: something\n",
        encoding="utf-8")

    routes = load_routes(path)

    assert [route.topic for route in routes] == ["Canteen"]
    assert routes[0].passage().document == OUT_OF_SCOPE_DOCUMENT
    assert load_routes(tmp_path / "missing.yaml") == ()


def test_a_canteen_question_gets_the_facilities_contact_and_is_not_answered(
        bundled: Knowledge) -> None:
    answer = bundled.answer("is the canteen open on Saturdays?")

    assert not answer.answered
    assert answer.citations == ()
    assert "Facilities" in answer.contact.name
    assert answer.to_json()["answered"] is False


@pytest.mark.parametrize(("question", "contact"), [
    ("how do I book annual leave?", "People Services"),
    ("the printer keeps jamming", "IT Service Desk"),
    ("why is my tax code wrong on my payslip?", "Payroll"),
    ("my new boots don't fit, where do I get another pair?", "Stores"),
])
def test_everyday_workplace_questions_are_routed(bundled: Knowledge, question: str,
                                                 contact: str) -> None:
    answer = bundled.answer(question)

    assert not answer.answered
    assert contact in answer.contact.name


def test_search_never_returns_route_passages(bundled: Knowledge) -> None:
    found = bundled.search("canteen parking permit annual leave", limit=10)

    assert all(hit.passage.document != OUT_OF_SCOPE_DOCUMENT for hit in found)


def test_colloquial_on_topic_questions_are_answered(bundled: Knowledge) -> None:
    for question in ("my mate got nicked last week, do I have to tell anyone?",
                     "do I need to tell anyone I spoke to a journo?"):
        assert bundled.answer(question).answered, question


def test_nonsense_sharing_one_policy_word_is_not_answered(bundled: Knowledge) -> None:
    answer = bundled.answer("zebra marmalade quantum gift")

    assert not answer.answered


def test_overlapping_vocabulary_phrases_let_the_longer_or_later_one_win() -> None:
    vocabulary = Vocabulary.from_mapping({"a drink": ["alcohol"],
                                          "drinks machine": ["drinks machine"]})

    assert "alcohol" not in vocabulary.query_terms("is there a drinks machine here").weights
    assert "alcohol" in vocabulary.query_terms("can I have a drink at lunch").weights


def test_the_chocolates_answer_says_they_may_be_accepted_and_shared(bundled: Knowledge) -> None:
    answer = bundled.answer("can I accept a box of chocolates from a member of the public?")

    assert "may be accepted" in answer.answer
    assert "shared with the team" in answer.answer
