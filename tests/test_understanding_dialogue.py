"""Understanding inside a conversation: facts noted once, corrections at any question, junk
refused, plain answers read; the engine with the trained readers, then the assistant."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.directory import match_staff
from bot.workflows import engine
from bot.workflows.definitions import WorkflowDefinition
from bot.workflows.engine import DialogueContext, Step, UserInput
from bot.workflows.intents import printable
from tests.understanding_support import SERGEANT, TODAY


class Talk:
    """One workflow driven with typed answers, keeping the latest step."""

    def __init__(self, definition: WorkflowDefinition, context: DialogueContext,
                 opening: str | None = None) -> None:
        self.definition, self.context = definition, context
        self.step: Step = engine.start(definition, context, opening)

    def say(self, *texts: str) -> Step:
        for text in texts:
            self.step = engine.advance(self.definition, self.step.state,
                                       UserInput(printable(text)), self.context)
        return self.step

    @property
    def asked(self) -> str | None:
        return self.step.replies[-1].field if self.step.replies else None

    @property
    def answers(self) -> dict[str, object]:
        return dict(self.step.state.answers)

    def texts(self) -> Iterator[str]:
        return (reply.text for reply in self.step.replies)


def test_an_opening_with_several_facts_asks_only_what_is_missing(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext) -> None:
    talk = Talk(definitions["gift_hospitality"], context,
                "the son of a burglary victim gave me a £30 Amazon voucher on Monday, I said no")
    assert talk.answers == {"what": "a £30 Amazon voucher", "offer_type": "gift",
                            "relationship": "victim", "value": 3000,
                            "offered_on": "2026-11-16", "decision": "declined"}
    noted = [reply for reply in talk.step.replies if reply.data.get("noted")]
    assert len(noted) == 1 and "Estimated value: £30.00" in noted[0].text  # shown back once
    # The cash-and-vouchers note is due for what was noted, as for a typed answer.
    assert any("Cash and vouchers" in text for text in talk.texts())
    assert talk.asked == "donor_name"


def test_a_correction_typed_at_the_next_question_changes_the_answer_it_names(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext) -> None:
    talk = Talk(definitions["gift_hospitality"], context)
    talk.say("a box of chocolates", "gift", "Mrs Hill", "skip", "member of the public", "£40")
    assert talk.asked == "offered_on"
    talk.say("sorry it was 70 not 40")
    assert talk.answers["value"] == 7000 and "offered_on" not in talk.answers
    assert "Changed Estimated value to £70.00." in list(talk.texts())[0]
    assert talk.asked == "offered_on"  # the open question is asked again
    talk.say("actually, I meant yesterday")  # a correction of the open question is its answer
    assert talk.answers["offered_on"] == "2026-11-17"


def test_a_correction_at_the_summary_changes_the_answer_without_a_detour(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext) -> None:
    talk = Talk(definitions["gift_hospitality"], context,
                "a local shopkeeper gave me a bottle of wine worth £15 yesterday, kept it")
    talk.say("Mr Shah", "Shah's Stores", "small thank you, under the limit")
    assert talk.step.status == engine.SUMMARY
    talk.say("oops, the value was £18")
    assert talk.answers["value"] == 1800 and talk.step.status == engine.SUMMARY
    # A correction that says only "not this" does not invent a value.
    talk.say("cheers, 20 not 99")
    assert talk.answers["value"] == 1800


@pytest.mark.parametrize("junk", ["\x1b[31m60\x1b[0m", "🎁🎁🎁", "6\x070", "...!?"])
def test_junk_is_refused_and_never_stored(definitions: dict[str, WorkflowDefinition],
                                          context: DialogueContext, junk: str) -> None:
    talk = Talk(definitions["gift_hospitality"], context,
                "a member of the public gave me a cake yesterday and I shared it")
    talk.say("Mrs Hill", "skip")
    assert talk.asked == "value"
    talk.say(junk)
    assert talk.step.replies[0].kind == "problem" and "value" not in talk.answers
    assert talk.asked == "value"


def test_an_organisation_answer_saying_there_is_none_is_left_blank_and_still_read(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext) -> None:
    talk = Talk(definitions["gift_hospitality"], context, "someone gave me a tin of biscuits")
    talk.say("Jan", "none, she's just a member of the public")
    assert "donor_organisation" not in talk.answers
    assert "donor_organisation" in talk.step.state.skipped
    assert talk.answers["relationship"] == "public"  # what else the answer said counts


def test_hours_and_pay_in_other_periods_and_units(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext) -> None:
    talk = Talk(definitions["business_interest"], context, "doing some security on my rest days")
    assert talk.answers["interest_type"] == "second_job" and talk.asked == "business_name"
    talk.say("Guardwell", "Leeds", "three 8 hour shifts a fortnight", "rest days", "yes")
    assert talk.answers["hours_per_week"] == 12
    talk.say("£12 an hour")
    assert talk.answers["pay"] == 12 * 12 * 52 * 100
    talk.say("march")  # a month is enough for a start date
    assert talk.answers["start_date"] == "2027-03-01"
    assert talk.step.state.precisions["start_date"] == "month"


def test_hedged_yes_no_answers_where_they_lean(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext) -> None:
    interest = definitions["business_interest"]
    state = replace(engine.start(interest, context).state, pending="conflict_powers")
    for said, meaning in [("I doubt it", False), ("not that I know of", False),
                          ("probably", True), ("go for it", True)]:
        step = engine.advance(interest, state, UserInput(said), context)
        assert step.state.answers["conflict_powers"] is meaning, said
    # Asked twice and still hedged: taken the way it leans, and shown that way.
    step = engine.advance(interest, state, UserInput("erm kind of"), context)
    assert step.replies[0].kind == "problem"
    step = engine.advance(interest, step.state, UserInput("erm kind of"), context)
    assert isinstance(step.state.answers.get("conflict_powers"), bool)
    assert "from what you said" in step.state.displays["conflict_powers"]


def test_a_two_fact_span_fills_both(definitions: dict[str, WorkflowDefinition],
                                    context: DialogueContext) -> None:
    talk = Talk(definitions["notifiable_association"], context,
                "known my mate Dean since 2015, he got charged in the summer")
    assert talk.answers["relationship"] == "friend"
    assert talk.answers["concern"] == "under_investigation"
    # A date said in passing about an association is offered back when its question comes
    # (it often dates the arrest rather than the friendship): here, the span's start.
    assert talk.step.state.suggested["known_since"]["value"] == "2015-01-01"


def test_a_described_choice_is_taken_when_named_options_clash(
        definitions: dict[str, WorkflowDefinition], context: DialogueContext) -> None:
    gift = definitions["gift_hospitality"]
    state = replace(engine.start(gift, context).state, pending="relationship")
    step = engine.advance(gift, state, UserInput("his van was nicked so he's the victim"),
                          context)
    assert step.state.answers["relationship"] == "victim"
    step = engine.advance(gift, state, UserInput("they do our IT"), context)
    assert step.state.answers["relationship"] == "supplier_or_bidder"


def test_the_readers_are_optional(definitions: dict[str, WorkflowDefinition],
                                  tmp_path: Path) -> None:
    """Without trained readers (a definition with no examples), the rules still work."""
    plain = DialogueContext(TODAY, {"staff_type": "officer"}, (SERGEANT,), SERGEANT, match_staff)
    talk = Talk(definitions["gift_hospitality"], plain, "a supplier offered me a £20 voucher")
    assert talk.answers["value"] == 2000
    talk.say("Dave", "Acme", "no")
    assert talk.answers["tender_running"] is False
