"""Slot filling and corrections that generalise: what a passing mention may fill, what it
may only suggest, and corrections found by what their old figure means. Each test is a
class of failure (issue 11) in new words, not a sentence from the evaluation."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.workflows import engine
from bot.workflows.definitions import (
    DefinitionError,
    WorkflowDefinition,
    load_definition,
    scan_policy_sections,
)
from bot.workflows.engine import DialogueContext, Step, UserInput
from bot.workflows.understanding import Understanding
from bot.workflows.understanding.corrections import read_correction
from bot.workflows.understanding.intent import speaks_of_self
from bot.workflows.understanding.slots import names_something, snippets
from tests.understanding_support import TODAY


def talk(definition: WorkflowDefinition, context: DialogueContext, opening: str,
         *texts: str) -> Step:
    step = engine.start(definition, context, opening)
    for text in texts:
        step = engine.advance(definition, step.state, UserInput(text), context)
    return step


def test_a_date_said_in_passing_about_an_association_is_suggested_not_filled(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext) -> None:
    # "last month" dates the arrest; how long they have been known is asked, with it offered.
    nature = definitions["notifiable_association"]
    step = talk(nature, context, "my cousin's husband got arrested last month, we see them weekly")
    assert "known_since" not in step.state.answers
    assert "contact_frequency" not in step.state.answers
    assert step.state.suggested["known_since"]["value"] == "2026-10-01"
    assert "contact_frequency" in step.state.suggested
    # When its question comes, a yes takes the suggestion.
    state = step.state
    for answer in ("Dana Holt", "family"):
        state = engine.advance(nature, state, UserInput(answer), context).state
    asked = engine.reprompt(nature, state, context)
    assert asked.replies[-1].field == "contact_frequency"
    assert engine.advance(nature, state, UserInput("yes"), context).state.answers[
        "contact_frequency"] == "weekly"


def test_a_bare_answer_to_one_question_names_no_vague_option_of_another(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext) -> None:
    report = definitions["report"]
    script = {"category": "drugs or alcohol", "what_happened": "drunk on duty",
              "when_and_where": "nights, the station", "who_is_involved": "a colleague",
              "evidence": "no"}  # no evidence: says nothing about where else it was raised
    step = talk(report, context, "a colleague keeps turning up to shifts drunk")
    while step.state.pending in script:
        step = engine.advance(report, step.state, UserInput(script[step.state.pending]),
                              context)
    assert "raised_elsewhere" not in step.state.answers
    assert step.replies[-1].field == "raised_elsewhere"


def test_a_holiday_named_as_an_occasion_is_not_a_date(
        definitions: dict[str, WorkflowDefinition]) -> None:
    offered_on = definitions["gift_hospitality"].field("offered_on")
    for occasion in ("the supplier asked me to their christmas do", "a xmas hamper arrived",
                     "invited to the office christmas party"):
        assert snippets(offered_on, occasion, in_passing=True) == []
    assert snippets(offered_on, "he gave it me at christmas", in_passing=True) == ["christmas"]


def test_a_day_and_its_number_are_read_together_across_a_full_stop(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext) -> None:
    step = talk(definitions["gift_hospitality"], context,
                "A supplier took us for a meal on Thursday the 5th. It was about £30 each.")
    assert step.state.answers["offered_on"] == "2026-11-05"


def test_a_description_is_not_taken_from_a_lead_in_followed_by_a_date(
        definitions: dict[str, WorkflowDefinition]) -> None:
    assert not names_something("9/11")
    assert not names_something("last friday, about 20 quid")
    assert names_something("two tickets to the darts")
    step = engine.start(definitions["gift_hospitality"], DialogueContext(TODAY),
                        "2 tickets to the darts from a promoter, offered 9/11, declined")
    assert step.state.answers.get("what") != "9/11"


@pytest.mark.parametrize(("typed", "field", "value"), [
    # The old figure is named as the person said it, not as Probity shows it.
    ("sorry it was the 6th not the 5th", "offered_on", "2026-11-06"),
    ("wait it was 10/11 not 9/11", "offered_on", "2026-11-10"),
    # A figure Probity took differently: found by what both figures could answer.
    ("sorry, it were the 12th she offered it, not the 11th", "offered_on", "2026-11-12"),
])
def test_a_correction_finds_its_answer_by_what_the_old_figure_means(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext, typed: str,
        field: str, value: str) -> None:
    gift = definitions["gift_hospitality"]
    step = talk(gift, context, "a witness gave me a £20 bottle of wine, i said no",
                "a bottle of red", "skip", "none", "thursday the 5th")
    if "11th" in typed:
        step = engine.advance(gift, step.state, UserInput("back"), context)
        step = engine.advance(gift, step.state, UserInput("monday the 9th"), context)
    pending = step.state.pending
    step = engine.advance(gift, step.state, UserInput(typed), context)
    assert step.state.answers[field] == value
    assert step.state.pending == pending  # the open question is asked again, not answered
    assert any("Changed" in reply.text for reply in step.replies)


def test_a_plain_answer_with_not_in_it_is_no_correction() -> None:
    assert read_correction("yes, the family court, not criminal") is None
    assert read_correction("nah just weekends not weekdays") is None
    assert read_correction("70 not 40") is not None


def test_a_word_naming_a_choice_in_passing_is_checked_against_the_description(
        definitions: dict[str, WorkflowDefinition], understanding: Understanding) -> None:
    relationship = definitions["notifiable_association"].field("relationship")
    assert understanding.option_agrees(relationship, "my brother was arrested", "family")
    assert not understanding.option_agrees(relationship, "my brother and my sister", "online")


def test_a_longer_reply_to_an_offer_that_declines_is_a_no(
        understanding: Understanding) -> None:
    assert understanding.offer_answer("oh ok, no I'll leave it then, it's only old stuff") == "no"
    assert understanding.offer_answer("yeah go on then") == "yes"


def test_a_question_about_ones_own_situation_is_told_from_a_general_one() -> None:
    assert speaks_of_self("I do nails from home, do I have to tell work?")
    assert speaks_of_self("ma brother's got a firm, is that awright?")
    assert not speaks_of_self("can I accept a bottle of wine?")
    assert not speaks_of_self("what's the gift limit?")


def test_in_passing_is_checked_when_the_definitions_load(tmp_path: Path) -> None:
    source = (PROJECT_ROOT / "workflows" / "report.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "report.yaml"
    broken.write_text(source.replace("in_passing: suggest", "in_passing: sometimes"),
                      encoding="utf-8")
    sections = {(s.document, s.section.casefold()): s
                for s in scan_policy_sections(PROJECT_ROOT / "policies")}
    with pytest.raises(DefinitionError):
        load_definition(broken, sections)


@pytest.mark.parametrize(("typed", "field", "value"), [
    ("actually it was £35", "value", 3500),
    ("sorry, it was sunday", "offered_on", "2026-11-15"),
    ("actually i accepted it", "decision", "accepted"),
    ("no wait, it was worth about 60", "value", 6000),
    ("scratch that, it was last friday", "offered_on", "2026-11-13"),
    ("the date was wrong, it was the 14th", "offered_on", "2026-11-14"),
])
def test_a_correction_at_a_question_any_words_answer_changes_the_earlier_answer(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext, typed: str,
        field: str, value: object) -> None:
    # At "Who offered it?" any words would do as a name; a figure or a named choice after
    # a correcting word is about an earlier answer, and is not stored as the name.
    gift = definitions["gift_hospitality"]
    step = talk(gift, context, "a victim's mum gave me a £40 bottle of perfume on monday, "
                               "i said no")
    assert step.state.pending == "donor_name"
    step = engine.advance(gift, step.state, UserInput(typed), context)
    assert step.state.answers[field] == value
    assert "donor_name" not in step.state.answers and step.state.pending == "donor_name"


def test_a_correcting_word_before_a_name_still_answers_the_name(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext) -> None:
    gift = definitions["gift_hospitality"]
    step = talk(gift, context, "a victim's mum gave me a £40 bottle of perfume on monday, "
                               "i said no", "actually it was Mrs Hill")
    assert step.state.answers["donor_name"] == "Mrs Hill"
    assert step.state.answers["value"] == 4000


def test_a_correction_that_changes_nothing_known_is_not_stored_as_the_open_answer(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext) -> None:
    gift = definitions["gift_hospitality"]
    step = talk(gift, context, "a victim's mum gave me a £40 bottle of perfume on monday, "
                               "i said no", "sorry, it was a necklace not a ring")
    assert "donor_name" not in step.state.answers and step.state.pending == "donor_name"
