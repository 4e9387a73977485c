"""Plain answers to one question: yes/no and hedges, rough amounts and periods, months and
seasons, described choices, "nothing" and junk; read by the engine with the trained models,
and the single-answer evaluation (tests/eval/answers) held to its bar."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.evaluation.answers import (
    HELD_ASIDE,
    MIN_FIELD_ACCURACY,
    MIN_POLARITY_ACCURACY,
    evaluate,
    load_answer_sets,
)
from bot.workflows import engine
from bot.workflows.definitions import WorkflowDefinition, load_definitions, scan_policy_sections
from bot.workflows.engine import DialogueContext, Step, UserInput
from bot.workflows.parsing.common import is_rough, rough_to_digits
from bot.workflows.parsing.dates import parse_date
from bot.workflows.parsing.money import parse_money
from bot.workflows.parsing.quantities import weekly_hours
from bot.workflows.understanding.polarity import load_answer_examples
from tests.understanding_support import TODAY


def answer(definition: WorkflowDefinition, context: DialogueContext, field: str, text: str,
           **known: str) -> Step:
    """`text` typed at question `field` of a fresh draft, after any `known` answers."""
    work = engine.start(definition, context).state.to_json()
    for name, said in known.items():
        engine.record_answer(work, name, engine.read_field(definition.field(name), said,
                                                           context))
    work.update(pending=field, phase="asking")
    return engine.advance(definition, work, UserInput(text), context)


# --- yes, no and not sure ------------------------------------------------------------------


def test_the_answer_examples_read_a_bare_yes_or_no_as_the_word() -> None:
    examples = load_answer_examples(PROJECT_ROOT / "knowledge" / "answers.yaml")
    assert "no" in examples["no"]  # YAML reads a bare no as False: it must stay the word
    assert "False" not in {text for texts in examples.values() for text in texts}


@pytest.mark.parametrize(("said", "meaning"), [
    ("aye", "yes"), ("yep that's it", "yes"), ("deffo", "yes"), ("i'd say so", "yes"),
    ("probably", "yes"), ("could do", "yes"), ("I doubt it", "no"),
    ("not that I know of", "no"), ("don't know", "unsure"), ("well", None), ("hmm", None),
])
def test_everyday_yes_no_and_hedges(context: DialogueContext, said: str,
                                    meaning: str | None) -> None:
    assert context.understanding is not None
    assert context.understanding.yes_no(said) == meaning


def test_a_yes_no_answer_is_read_by_its_first_clause(context: DialogueContext) -> None:
    assert context.understanding is not None
    # The reason after the answer says more about the subject than about the answer.
    assert context.understanding.yes_no("once or twice, I never tell her anything") == "yes"
    assert context.understanding.yes_no("I doubt it, the agent vets the tenants") == "no"
    # An acknowledgement first is not the answer: the clause after it is.
    assert context.understanding.yes_no("oh ok, no I'll leave it then, thank you") == "no"
    assert context.understanding.yes_no("purple") is None  # nonsense is not a yes


def test_no_then_a_reason_at_a_yes_no_question_is_a_no_not_a_correction(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext) -> None:
    step = answer(definitions["business_interest"], context, "fatigue",
                  "no, it's only a few hours")
    assert step.state.answers["fatigue"] is False


@pytest.mark.parametrize("said", ["not sure", "maybe", "no idea to be fair"])
def test_not_sure_stands_for_the_careful_answer_where_the_question_says_so(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext, said: str) -> None:
    interest = definitions["business_interest"]
    step = answer(interest, context, "conflict_powers", said)
    assert step.state.answers["conflict_powers"] is True  # if_unsure: true
    assert "not sure" in step.state.displays["conflict_powers"]
    # Without if_unsure, "not sure" is asked again, never stored.
    paid = answer(interest, context, "paid", said)
    assert "paid" not in paid.state.answers and paid.replies[0].kind == "problem"
    assert "wages, fees, rent" in paid.replies[0].text  # with the question's own help
    gifts = definitions["gift_hospitality"]
    tender = answer(gifts, context, "tender_running", said, relationship="supplier")
    assert tender.state.answers["tender_running"] is False  # the help says: say no


def test_if_unsure_is_only_for_yes_no_questions(tmp_path: Path) -> None:
    source = (PROJECT_ROOT / "workflows" / "gift_hospitality.yaml").read_text(encoding="utf-8")
    broken = source.replace("    type: money\n", "    type: money\n    if_unsure: true\n", 1)
    (tmp_path / "gift_hospitality.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(ValueError, match="if_unsure"):
        load_definitions(tmp_path, scan_policy_sections(PROJECT_ROOT / "policies"))


# --- amounts, hours and pay ----------------------------------------------------------------


@pytest.mark.parametrize(("said", "digits"), [
    ("fifty-odd quid", "50 quid"), ("thirty odd", "30"), ("a few hundred", "300"),
    ("a few grand", "3 grand"), ("about a score", "about 20"), ("odd jobs", "odd jobs"),
])
def test_rough_amounts_become_a_best_estimate(said: str, digits: str) -> None:
    assert rough_to_digits(said) == digits


def test_rough_amounts_only_for_money_and_hours_not_dates() -> None:
    assert parse_money("fifty-odd quid").value == 5000
    assert parse_money("a tenner").value == 1000
    assert float(weekly_hours("a few hours a month") or 0) == pytest.approx(0.7)
    # "a few days ago" is still too vague to be a day on a register.
    assert not parse_date("a few days ago", today=TODAY).ok
    assert is_rough("a few hours a week") and not is_rough("4 hours a week")


@pytest.mark.parametrize("said", ["nothing, it's unpaid", "it's unpaid", "voluntary",
                                  "nothing, just expenses", "nowt"])
def test_no_pay_in_words_is_nothing_a_year(said: str) -> None:
    parsed = parse_money(said, period="year")
    assert parsed.ok and parsed.value == 0


def test_a_figure_after_nothing_yet_is_the_figure() -> None:
    assert parse_money("none yet, maybe £50 later").value == 5000


def test_a_rough_amount_said_in_passing_is_asked_not_noted(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext) -> None:
    step = engine.start(definitions["business_interest"], context,
                        "i help out at my dad's gym a few hours a week")
    assert "hours_per_week" not in step.state.answers
    asked = answer(definitions["business_interest"], context, "hours_per_week",
                   "a few hours a week")
    assert asked.state.answers["hours_per_week"] == 3  # asked, a best estimate will do


def test_pay_per_hour_with_the_hours_known(definitions: dict[str, WorkflowDefinition],
                                           context: DialogueContext) -> None:
    step = answer(definitions["business_interest"], context, "pay", "£15 an hour",
                  hours_per_week="three 8 hour shifts a fortnight")
    assert step.state.answers["pay"] == 15 * 12 * 52 * 100


# --- dates at the precision asked ----------------------------------------------------------


@pytest.mark.parametrize(("said", "first", "precision"), [
    ("march", "2027-03-01", "month"), ("started last march", "2026-03-01", "month"),
    ("next spring", "2027-03-01", "month"), ("after christmas", "2027-01-01", "month"),
    ("march last year", "2025-03-01", "month"), ("summer 2019", "2019-06-01", "month"),
    ("already started, back in august", "2026-08-01", "month"),
    ("since 2019", "2019-01-01", "year"), ("in the new year", "2027-01-01", "month"),
])
def test_a_start_month_is_enough(said: str, first: str, precision: str) -> None:
    parsed = parse_date(said, today=TODAY, precision="month")
    assert parsed.ok, parsed.problem
    assert parsed.value.isoformat() == first and parsed.precision == precision


def test_a_span_with_two_facts_keeps_the_start(definitions: dict[str, WorkflowDefinition],
                                               context: DialogueContext) -> None:
    step = answer(definitions["notifiable_association"], context, "known_since",
                  "known her since 2019, she got charged in the summer")
    assert step.state.answers["known_since"] == "2019-01-01"


# --- choices described, "none", junk -------------------------------------------------------


@pytest.mark.parametrize(("workflow", "field", "said", "value"), [
    ("gift_hospitality", "relationship", "they do our IT", "supplier_or_bidder"),
    ("gift_hospitality", "destination", "it's in the office fridge", "shared_with_team"),
    ("notifiable_association", "contact_frequency", "every couple of days", "daily"),
    ("notifiable_association", "relationship", "we go to the same gym", "other"),
])
def test_a_choice_described_rather_than_named(definitions: dict[str, WorkflowDefinition],
                                              context: DialogueContext, workflow: str,
                                              field: str, said: str, value: str) -> None:
    step = answer(definitions[workflow], context, field, said)
    assert step.state.answers[field] == value


def test_the_words_that_answered_are_not_read_again_for_another_question(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext) -> None:
    gifts = definitions["gift_hospitality"]
    kept = answer(gifts, context, "decision", "kept it")
    assert kept.state.answers["decision"] == "accepted"
    assert "destination" not in kept.state.answers  # asked, not assumed from "kept"
    both = answer(gifts, context, "value", "£30, and I turned it down")
    assert both.state.answers == {"value": 3000, "decision": "declined"}


def test_no_organisation_is_left_blank(definitions: dict[str, WorkflowDefinition],
                                       context: DialogueContext) -> None:
    step = answer(definitions["gift_hospitality"], context, "donor_organisation",
                  "none, she's just a member of the public")
    assert "donor_organisation" not in step.state.answers
    assert "donor_organisation" in step.state.skipped


@pytest.mark.parametrize("junk", ["\x1b[31m60\x1b[0m", "😀😀", "\x07\x07", "!!!"])
def test_junk_is_asked_again_and_never_stored(definitions: dict[str, WorkflowDefinition],
                                              context: DialogueContext, junk: str) -> None:
    step = answer(definitions["gift_hospitality"], context, "value", junk)
    assert "value" not in step.state.answers and step.replies[0].kind == "problem"


# --- the evaluation of single answers ------------------------------------------------------


def test_single_answers_meet_the_bar() -> None:
    results = {result.name: result for result in evaluate(load_answer_sets())}
    assert HELD_ASIDE in results  # the measure: written before any run, never tuned on
    for result in results.values():
        assert result.polarity_accuracy >= MIN_POLARITY_ACCURACY, result
        assert result.field_accuracy >= MIN_FIELD_ACCURACY, result


def test_hedges_asked_twice_lean(definitions: dict[str, WorkflowDefinition],
                                 context: DialogueContext) -> None:
    interest = definitions["business_interest"]
    state = replace(engine.start(interest, context).state, pending="paid")
    first = engine.advance(interest, state, UserInput("erm kind of"), context)
    assert first.replies[0].kind == "problem"
    second = engine.advance(interest, first.state, UserInput("erm kind of"), context)
    assert isinstance(second.state.answers.get("paid"), bool)
