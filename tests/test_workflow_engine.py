"""The dialogue engine on its own: pure steps over plain-JSON state, no database."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

import pytest

from bot.config import PROJECT_ROOT
from bot.directory import StaffMember, match_staff
from bot.messages import say
from bot.workflows import engine
from bot.workflows.definitions import (
    WorkflowDefinition,
    load_definitions,
    scan_policy_sections,
)
from bot.workflows.engine import DialogueContext, Step, UserInput
from bot.workflows.filing import add_months, approvers_for
from bot.workflows.intents import control_word, looks_like_question, match_intent
from bot.workflows.state import DraftState, StateError

TODAY = dt.date(2026, 5, 12)  # a Tuesday
SERGEANT = StaffMember("tom.reid", "Tom Reid", "Sgt", "officer", team="Response")
PEOPLE = (
    SERGEANT,
    StaffMember("sam.reid", "Sam Reid", "PCSO", "staff", team="Neighbourhood"),
    StaffMember("grace.okafor", "Grace Okafor", "Insp", "officer", team="Response"),
)
OFFICER = DialogueContext(TODAY, {"staff_type": "officer"}, PEOPLE, SERGEANT, match_staff)
STAFF = DialogueContext(TODAY, {"staff_type": "staff"}, PEOPLE, SERGEANT, match_staff)


@pytest.fixture(scope="module")
def definitions() -> dict[str, WorkflowDefinition]:
    return load_definitions(PROJECT_ROOT / "workflows",
                            scan_policy_sections(PROJECT_ROOT / "policies"))


@pytest.fixture
def gift(definitions: dict[str, WorkflowDefinition]) -> WorkflowDefinition:
    return definitions["gift_hospitality"]


class Dialogue:
    """Drives one workflow the way a surface would, keeping the latest step."""

    def __init__(self, definition: WorkflowDefinition, context: DialogueContext = OFFICER):
        self.definition = definition
        self.context = context
        self.step = engine.start(definition, context)

    def say(self, text: str | None = None, action: str | None = None) -> Step:
        self.step = engine.advance(self.definition, self.step.state,
                                   UserInput(text, action), self.context)
        return self.step

    @property
    def asking(self) -> str | None:
        return self.step.state.pending

    @property
    def answers(self) -> dict[str, Any]:
        return self.step.state.answers

    def kinds(self) -> list[str]:
        return [reply.kind for reply in self.step.replies]


def test_the_first_step_introduces_the_workflow_and_asks_one_question(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    assert dialogue.kinds() == ["message", "question"]
    question = dialogue.step.replies[-1]
    assert question.field == "what" and question.field_type == "text"
    assert dialogue.asking == "what"


def test_choices_are_offered_as_buttons_and_come_back_as_actions(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    dialogue.say("a box of chocolates")
    question = dialogue.step.replies[-1]
    assert [choice.value for choice in question.choices] == ["choice:gift",
                                                              "choice:hospitality"]
    dialogue.say(action="choice:gift")
    assert dialogue.answers["offer_type"] == "gift"
    assert dialogue.asking == "donor_name"


def test_bad_input_re_prompts_with_the_problem_and_keeps_every_answer(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    for text in ("two tickets to the rugby", "hospitality", "Dave Jones", "Acme Ltd", "public"):
        dialogue.say(text)
    before = dict(dialogue.answers)
    dialogue.say("minus forty pounds")
    assert dialogue.kinds() == ["problem", "question"]
    assert dialogue.asking == "value"
    assert dialogue.answers == before
    dialogue.say("about 40 quid")
    assert dialogue.answers["value"] == 4000


def test_a_future_date_for_something_that_happened_re_prompts(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    for text in ("flowers", "gift", "skip", "skip", "public", "£10"):
        dialogue.say(text)
    assert dialogue.asking == "offered_on"
    dialogue.say("tomorrow")
    assert dialogue.kinds()[0] == "problem"
    dialogue.say("last Friday")
    assert dialogue.answers["offered_on"] == "2026-05-08"


def test_a_day_given_after_which_day_in_the_month_keeps_the_month(
        gift: WorkflowDefinition) -> None:
    # Seen in acceptance: "January 2027", then "the 9th", was filed as the 9th of this month.
    dialogue = Dialogue(gift)
    for text in ("flowers", "gift", "skip", "skip", "public", "£10"):
        dialogue.say(text)
    dialogue.say("April")
    assert dialogue.step.replies[0].text.startswith("Which day in April?")
    dialogue.say("the 3rd")
    assert dialogue.answers["offered_on"] == "2026-04-03"


def test_a_full_date_after_which_day_replaces_the_month_and_the_month_is_not_kept_longer(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    for text in ("flowers", "gift", "skip", "skip", "public", "£10"):
        dialogue.say(text)
    dialogue.say("April 2026")
    dialogue.say("12 March")
    assert dialogue.answers["offered_on"] == "2026-03-12"
    dialogue = Dialogue(gift)
    for text in ("flowers", "gift", "skip", "skip", "public", "£10"):
        dialogue.say(text)
    dialogue.say("April 2026")
    dialogue.say("no idea")  # a second problem: the month is only kept for one answer
    dialogue.say("the 3rd")
    assert dialogue.answers["offered_on"] == "2026-05-03"


def test_back_returns_to_the_previous_question_showing_the_current_answer(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    dialogue.say("wine")
    dialogue.say("gift")
    dialogue.say("back")
    assert dialogue.asking == "offer_type"
    assert dialogue.step.replies[-1].data["current"] == "A gift"
    dialogue.say("keep")
    assert dialogue.asking == "donor_name"
    assert dialogue.answers == {"what": "wine", "offer_type": "gift"}


def test_back_at_the_first_question_says_there_is_nothing_before(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    dialogue.say("back")
    assert dialogue.kinds() == ["problem", "question"]
    assert dialogue.asking == "what"


def test_only_optional_questions_can_be_skipped(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    dialogue.say("skip")
    assert dialogue.kinds() == ["problem", "question"] and dialogue.asking == "what"
    dialogue.say("a cake")
    dialogue.say("gift")
    dialogue.say("skip")
    assert dialogue.asking == "donor_organisation"
    assert dialogue.step.state.skipped == ("donor_name",)


def test_help_explains_the_question_and_asks_it_again(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    dialogue.say("help")
    assert dialogue.kinds() == ["message", "question"]
    assert gift.field("what").help in dialogue.step.replies[0].text
    assert dialogue.asking == "what"


def test_a_policy_question_is_handed_back_without_touching_the_answers(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    dialogue.say("two tickets")
    state = dialogue.step.state
    step = dialogue.say("is this allowed?")
    assert step.policy_question == "is this allowed?"
    assert step.replies == () and step.state == state
    again = engine.reprompt(gift, step.state, OFFICER)
    assert again.replies[-1].field == "offer_type"


def test_a_question_without_a_question_mark_is_recognised_where_it_cannot_be_an_answer(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    for text in ("lunch", "hospitality", "skip", "skip", "supplier", "no"):
        dialogue.say(text)
    assert dialogue.asking == "value"
    assert dialogue.say("can I accept it").policy_question == "can I accept it"


def test_a_long_account_ending_in_a_question_mark_is_kept_as_the_answer(
        definitions: dict[str, WorkflowDefinition]) -> None:
    report = definitions["report"]
    dialogue = Dialogue(report)
    dialogue.say(action="choice:misuse_of_systems")
    assert dialogue.asking == "what_happened"
    account = ("My sergeant keeps running his neighbours through PNC on nights, "
               "why would he need to do that?")
    step = dialogue.say(account)
    assert step.policy_question is None
    assert dialogue.answers["what_happened"] == account
    # A short question at the same kind of prompt is still one for the policies.
    assert dialogue.asking == "when_and_where"
    assert dialogue.say("is this anonymous?").policy_question == "is this anonymous?"


def test_hints_warn_with_a_citation_when_their_condition_holds(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    dialogue.say("a £50 Amazon voucher")
    warning = dialogue.step.replies[0]
    assert warning.kind == "warning" and warning.data["hint"] == "cash_or_vouchers"
    assert warning.citations[0].document == "gifts-and-hospitality.md"
    assert warning.citations[0].section == "8. Never acceptable"
    assert warning.citations[0].title == "Gifts and Hospitality"


def test_the_limit_hint_uses_the_limit_from_the_definition(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    for text in ("dinner", "hospitality", "skip", "skip", "partner agency"):
        dialogue.say(text)
    dialogue.say("£24.99")
    assert "warning" not in dialogue.kinds()
    dialogue.say("back")
    dialogue.say("£25")
    assert dialogue.step.replies[0].kind == "warning"
    assert "£25 or more" in dialogue.step.replies[0].text


def test_show_if_asks_about_a_tender_only_for_suppliers(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    for text in ("lunch", "hospitality", "skip", "Acme", "supplier"):
        dialogue.say(text)
    assert dialogue.asking == "tender_running"
    assert dialogue.step.replies[0].data["hint"] == "supplier_or_bidder"
    dialogue.say("back")
    dialogue.say("partner agency")
    assert dialogue.asking == "value"


def answer_all(dialogue: Dialogue, answers: list[str]) -> None:
    for text in answers:
        dialogue.say(text)


GIFT_ANSWERS = ["two tickets to the rugby", "hospitality", "Dave Jones", "Acme Security",
                "supplier", "no", "£80", "last friday", "accepted", "kept",
                "Approved networking event"]


def test_the_summary_lists_each_answer_that_applies(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    answer_all(dialogue, GIFT_ANSWERS)
    summary = dialogue.step.replies[-1]
    assert dialogue.step.status == "summary" and summary.kind == "summary"
    rows = {row["field"]: row["value"] for row in summary.data["rows"]}
    assert rows["value"] == "£80.00"
    assert rows["relationship"] == "Supplier or bidder"
    assert [choice.value for choice in summary.choices] == ["confirm", "change", "cancel"]


def test_changing_an_answer_at_the_summary_returns_to_the_summary(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    answer_all(dialogue, GIFT_ANSWERS)
    dialogue.say("change the value")
    assert dialogue.asking == "value"
    dialogue.say("£20")
    assert dialogue.step.status == "summary"
    assert dialogue.answers["value"] == 2000


def test_changing_via_the_list_of_answers(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    answer_all(dialogue, GIFT_ANSWERS)
    dialogue.say(action="change")
    assert dialogue.step.status == "choosing_change"
    labels = [choice.label for choice in dialogue.step.replies[-1].choices]
    assert "Estimated value" in labels
    dialogue.say(action="change:decision")
    dialogue.say("declined")
    assert dialogue.step.status == "summary"
    fields = [row["field"] for row in dialogue.step.replies[-1].data["rows"]]
    assert "destination" not in fields  # only accepted offers say where they went


def test_a_change_that_reveals_a_new_question_asks_it_before_the_summary(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    answer_all(dialogue, ["flowers", "gift", "skip", "skip", "public", "£10", "today",
                          "declined", "Not appropriate"])
    assert dialogue.step.status == "summary"
    dialogue.say("change accepted or declined")
    dialogue.say("accepted")
    assert dialogue.asking == "destination"
    dialogue.say("shared with the team")
    assert dialogue.step.status == "summary"


def test_confirming_at_the_summary_is_the_signal_to_file(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    answer_all(dialogue, GIFT_ANSWERS)
    assert dialogue.say("confirm").status == "confirmed"


@pytest.mark.parametrize("said", ["yes submit it", "Yes, that's correct", "ok send it please"])
def test_a_confirmation_wrapped_in_polite_words_files(gift: WorkflowDefinition, said: str) -> None:
    dialogue = Dialogue(gift)
    answer_all(dialogue, GIFT_ANSWERS)
    assert dialogue.say(said).status == "confirmed"


def test_cancel_works_at_any_point(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    dialogue.say("wine")
    assert dialogue.say("cancel").status == "cancelled"


def test_the_state_is_plain_json_and_survives_a_round_trip(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    answer_all(dialogue, GIFT_ANSWERS[:8])
    stored = json.loads(json.dumps(dialogue.step.state.to_json()))
    resumed = engine.advance(gift, stored, UserInput("accepted"), OFFICER)
    assert resumed.state.answers["decision"] == "accepted"


def test_the_engine_never_changes_the_state_it_was_given(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    state = json.loads(json.dumps(dialogue.step.state.to_json()))
    engine.advance(gift, state, UserInput("a cake"), OFFICER)
    assert state == dialogue.step.state.to_json()


def test_a_person_field_matches_the_directory_and_asks_when_ambiguous(
        definitions: dict[str, WorkflowDefinition]) -> None:
    interest = definitions["business_interest"]
    unmanaged = replace(OFFICER, line_manager=None)
    dialogue = Dialogue(interest, unmanaged)
    dialogue.step = engine.advance(interest, replace(dialogue.step.state, pending="line_manager"),
                                   UserInput("Reid"), unmanaged)
    which = dialogue.step.replies[-1]
    assert {choice.value for choice in which.choices} == {"choice:tom.reid", "choice:sam.reid"}
    dialogue.say(action="choice:tom.reid")
    assert dialogue.answers["line_manager"] == {"key": "tom.reid",
                                                "name": "Sgt Tom Reid (Response)"}
    # Of two Reids, the one the question suggests (the line manager), or the rank said.
    state = replace(engine.start(interest, OFFICER).state, pending="line_manager")
    for said in ("Reid", "sergeant reid"):
        step = engine.advance(interest, state, UserInput(said), OFFICER)
        assert step.state.answers["line_manager"]["key"] == "tom.reid"


def test_a_person_field_suggests_the_line_manager_and_reports_unknown_names(
        definitions: dict[str, WorkflowDefinition]) -> None:
    interest = definitions["business_interest"]
    state = replace(engine.start(interest, OFFICER).state, pending="line_manager")
    question = engine.reprompt(interest, state, OFFICER).replies[-1]
    assert [choice.value for choice in question.choices] == ["choice:tom.reid"]
    step = engine.advance(interest, state, UserInput("Zebedee Quux"), OFFICER)
    assert step.replies[0].kind == "problem" and "staff directory" in step.replies[0].text
    assert engine.advance(interest, state, UserInput("grace okafor"), OFFICER).state.answers[
        "line_manager"]["key"] == "grace.okafor"


def test_officers_and_staff_are_introduced_to_different_paths(
        definitions: dict[str, WorkflowDefinition]) -> None:
    interest = definitions["business_interest"]
    officer_intro = engine.start(interest, OFFICER).replies[0].text
    staff_intro = engine.start(interest, STAFF).replies[0].text
    assert "permission before you start" in officer_intro
    assert "declare it before it starts" in staff_intro


def test_conflict_details_are_asked_only_when_a_conflict_was_mentioned(
        definitions: dict[str, WorkflowDefinition]) -> None:
    interest = definitions["business_interest"]
    dialogue = Dialogue(interest, STAFF)
    answer_all(dialogue, ["second job", "Driving instructor at weekends", "Northmoor Driving",
                          "skip", "6", "skip", "yes", "£3,000", "1 June", "no", "no", "no", "no",
                          "yes", "no"])
    assert dialogue.asking == "line_manager"
    dialogue.say("back")
    dialogue.say("yes")  # fatigue could be an issue after all
    assert dialogue.asking == "conflict_details"


def test_routes_follow_the_rules_in_order(gift: WorkflowDefinition) -> None:
    base = {"what": "x", "relationship": "public", "value": 1000, "decision": "accepted"}
    assert approvers_for(gift, base, {}) == ("psd",)
    assert approvers_for(gift, {**base, "value": 2500}, {}) == ("line_manager", "psd")
    assert approvers_for(gift, {**base, "relationship": "supplier_or_bidder"}, {}) == (
        "line_manager", "psd")
    assert approvers_for(gift, {**base, "value": 9000, "decision": "declined"}, {}) == ("psd",)


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(dt.date(2026, 5, 12), 12) == dt.date(2027, 5, 12)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_control_words_and_questions() -> None:
    assert control_word("Go back") == "back"
    assert control_word("change the value") == "change"
    assert control_word("two tickets") is None
    # Seen in acceptance: "yes submit it" at the summary was refused.
    assert control_word("yes submit it") == "confirm"
    assert control_word("Yes, that's correct, thanks") == "confirm"
    assert control_word("ok cancel") == "cancel"
    assert control_word("thank you gift") is None
    assert control_word("thanks") is None
    assert control_word("yes " * 5000) is None
    assert looks_like_question("is this allowed?")
    assert looks_like_question("can I keep it")
    assert not looks_like_question("two tickets to the rugby")


def test_free_text_finds_the_workflow_it_is_about(
        definitions: dict[str, WorkflowDefinition]) -> None:
    found = match_intent("a supplier offered me two tickets to the rugby", definitions.values())
    assert found is not None and found.name == "gift_hospitality"
    found = match_intent("I want to start a second job driving a taxi", definitions.values())
    assert found is not None and found.name == "business_interest"
    found = match_intent("my mate with a record moved in", definitions.values())
    assert found is not None and found.name == "notifiable_association"
    assert match_intent("what time is it", definitions.values()) is None


def test_change_before_any_answer_says_there_is_nothing_to_change(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    dialogue.say("change")
    assert dialogue.step.replies[0].text == say("engine.nothing_to_change")
    assert dialogue.asking == "what" and dialogue.step.status == "asking"
    dialogue.say("a bottle of wine")
    assert dialogue.answers["what"] == "a bottle of wine"


def test_back_from_the_list_of_answers_mid_way_returns_to_the_pending_question(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    dialogue.say("two tickets to the rugby")
    dialogue.say("change")
    assert dialogue.step.status == "choosing_change"
    dialogue.say("back")
    # Not the summary: only one question has been answered.
    assert dialogue.step.status == "asking" and dialogue.asking == "offer_type"


def test_an_incomplete_draft_is_never_confirmed(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    dialogue.say("two tickets to the rugby")
    # A stale "confirm" button pressed before the summary was reached.
    dialogue.step = replace(dialogue.step, state=replace(dialogue.step.state, phase="summary"))
    step = dialogue.say(action="confirm")
    assert step.status == "asking" and dialogue.asking == "offer_type"


# -- what the person already said, plain answers, corrections -----------------------------


def test_the_words_that_started_a_gift_are_noted_once_and_not_asked_again(
        gift: WorkflowDefinition) -> None:
    step = engine.start(gift, OFFICER, opening="a supplier offered me two tickets to the rugby")
    noted = next(reply for reply in step.replies if reply.data.get("noted"))
    assert "two tickets to the rugby" in noted.text and "Supplier or bidder" in noted.text
    assert step.state.answers["what"] == "two tickets to the rugby"
    assert step.state.answers["offer_type"] == "hospitality"
    assert step.state.answers["relationship"] == "supplier_or_bidder"
    # The first question asked is the first one the opening left open.
    assert step.replies[-1].field == "donor_name"
    dialogue = Dialogue(gift)
    dialogue.step = step
    dialogue.say("change what was offered")
    dialogue.say("two tickets to the cricket")  # anything noted can still be changed
    assert dialogue.answers["what"] == "two tickets to the cricket"


def test_without_an_opening_nothing_is_suggested(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    assert "You said" not in dialogue.step.replies[-1].text
    dialogue.say("yes")  # "yes" is then just a (strange) description
    assert dialogue.answers == {"what": "yes"}


def test_a_cousin_out_of_prison_fills_family_a_record_and_daily_contact(
        definitions: dict[str, WorkflowDefinition]) -> None:
    association = definitions["notifiable_association"]
    step = engine.start(association, OFFICER,
                        opening="my cousin's just come out of prison and is staying with me")
    assert step.state.answers["relationship"] == "family"
    assert step.state.answers["concern"] == "criminal_record"
    assert step.state.answers["contact_frequency"] == "daily"
    assert "person_name" not in step.state.answers  # a name is never guessed
    assert step.replies[-1].field == "person_name"


def test_nah_and_dont_know_leave_an_optional_question_blank(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    dialogue.say("flowers")
    dialogue.say("gift")
    dialogue.say("dont know")  # who offered it: optional
    assert dialogue.step.replies[0].text == say("engine.left_blank")
    dialogue.say("nah")  # organisation: optional
    assert dialogue.answers == {"what": "flowers", "offer_type": "gift"}
    assert dialogue.step.state.skipped == ("donor_name", "donor_organisation")


def test_dont_know_to_a_required_text_question_asks_for_a_description(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    dialogue.say("don't know")
    assert dialogue.kinds()[0] == "problem"
    assert "Describe the item" in dialogue.step.replies[0].text
    assert dialogue.answers == {}


def test_not_sure_to_a_yes_no_is_what_the_question_says_it_stands_for(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    for text in ("pens", "gift", "skip", "Acme", "supplier"):
        dialogue.say(text)
    dialogue.say("not sure")  # tender_running's help: "If you are not sure, say no"
    assert dialogue.answers["tender_running"] is False
    assert "not sure" in dialogue.step.state.displays["tender_running"]


def test_i_didnt_accept_it_is_declined(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    for text in ("pens", "gift", "skip", "skip", "public", "£5", "yesterday"):
        dialogue.say(text)
    dialogue.say("I didn't accept it")
    assert dialogue.answers["decision"] == "declined"


@pytest.mark.parametrize("said", ["my sergeant", "my line manager", "yes", "the boss"])
def test_my_sergeant_names_the_suggested_line_manager(
        definitions: dict[str, WorkflowDefinition], said: str) -> None:
    interest = definitions["business_interest"]
    dialogue = Dialogue(interest)
    dialogue.step = engine.advance(interest, replace(dialogue.step.state, pending="line_manager"),
                                   UserInput(said), OFFICER)
    assert dialogue.answers["line_manager"] == {"key": "tom.reid",
                                                "name": SERGEANT.label}


def test_a_weekly_wage_becomes_a_yearly_figure(
        definitions: dict[str, WorkflowDefinition]) -> None:
    interest = definitions["business_interest"]
    state = replace(engine.start(interest, OFFICER).state, pending="pay")
    step = engine.advance(interest, state, UserInput("about 150 a week"), OFFICER)
    assert step.state.answers["pay"] == 780000
    assert step.state.displays["pay"] == "£7,800.00 a year (£150.00 a week)"
    step = engine.advance(interest, state, UserInput("£12 an hour"), OFFICER)
    assert "pay" not in step.state.answers and "yearly figure" in step.replies[0].text


def test_a_year_answers_since_when_and_is_kept_as_a_year(
        definitions: dict[str, WorkflowDefinition]) -> None:
    association = definitions["notifiable_association"]
    state = replace(engine.start(association, OFFICER).state, pending="known_since")
    step = engine.advance(association, state, UserInput("since school"), OFFICER)
    assert "Roughly when?" in step.replies[0].text
    step = engine.advance(association, state, UserInput("March 2019"), OFFICER)
    assert step.state.answers["known_since"] == "2019-03-01"
    assert step.state.displays["known_since"] == "March 2019"
    assert engine.date_precisions(association, step.state, {}) == {"known_since": "month"}
    # A whole day later replaces the month, and its precision with it.
    step = engine.advance(association, replace(step.state, pending="known_since"),
                          UserInput("3 March 2019"), OFFICER)
    assert engine.date_precisions(association, step.state, {}) == {}


@pytest.mark.parametrize("said, field", [
    ("actually the date is wrong", "offered_on"),
    ("no wait, change the organisation", "donor_organisation"),
    ("wrong value", "value"),
    ("hang on, the value was wrong", "value"),
])
def test_a_correction_at_the_summary_said_in_plain_words(
        gift: WorkflowDefinition, said: str, field: str) -> None:
    dialogue = Dialogue(gift)
    for text in ("pens", "gift", "skip", "Acme", "public", "£5", "yesterday", "declined",
                 "Not needed"):
        dialogue.say(text)
    assert dialogue.step.status == engine.SUMMARY
    dialogue.say(said)
    assert dialogue.asking == field


def test_no_at_the_summary_asks_which_answer_and_confirm_there_goes_back(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    for text in ("pens", "gift", "skip", "Acme", "public", "£5", "yesterday", "declined",
                 "Not needed"):
        dialogue.say(text)
    dialogue.say("no")
    assert dialogue.step.status == engine.CHOOSING_CHANGE
    dialogue.say("confirm")
    assert dialogue.step.status == engine.SUMMARY  # a second confirm files it


def test_changing_a_question_not_reached_yet_says_so_and_an_answer_still_counts(
        gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    for text in ("pens", "gift", "skip", "Acme", "public"):
        dialogue.say(text)
    assert dialogue.asking == "value"
    dialogue.say("change the date")
    assert "We haven't come to date offered yet" in dialogue.step.replies[0].text
    assert dialogue.asking == "value"
    dialogue.say("change")
    assert dialogue.step.status == engine.CHOOSING_CHANGE
    dialogue.say("£80")  # not an answer's name: the answer to the question they were on
    assert dialogue.answers["value"] == 8000


# -- the draft state ------------------------------------------------------------------------


def test_the_state_is_frozen_and_round_trips_through_json(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    answer_all(dialogue, GIFT_ANSWERS[:3])
    state = dialogue.step.state
    with pytest.raises(TypeError):
        state.answers["what"] = "something else"  # type: ignore[index]
    again = DraftState.from_json(json.loads(json.dumps(state.to_json())))
    assert again == state
    # The JSON is a fresh copy: changing it leaves the state as it was.
    data = state.to_json()
    data["answers"]["what"] = "changed"
    assert state.answers["what"] == GIFT_ANSWERS[0]


def test_a_draft_stored_in_the_older_shape_resumes(gift: WorkflowDefinition) -> None:
    dialogue = Dialogue(gift)
    answer_all(dialogue, GIFT_ANSWERS[:2])
    older = dialogue.step.state.to_json()
    # Drafts saved before dates had precisions and openings had suggestions lack both.
    del older["precisions"], older["suggested"]
    step = engine.advance(gift, older, UserInput(GIFT_ANSWERS[2]), OFFICER)
    assert step.state.answers == {**dialogue.answers, "donor_name": "Dave Jones"}
    assert step.state.pending == "donor_organisation"
    assert DraftState.from_json(older).precisions == {}


def test_a_stored_value_that_is_not_a_draft_is_refused() -> None:
    with pytest.raises(StateError):
        DraftState.from_json({"offer": "gift_hospitality"})
    with pytest.raises(StateError):
        DraftState.from_json({"answers": {}, "phase": "wandering"})


def test_without_a_matcher_the_engine_takes_exact_names_only(
        definitions: dict[str, WorkflowDefinition]) -> None:
    interest = definitions["business_interest"]
    plain = DialogueContext(TODAY, {"staff_type": "officer"}, PEOPLE, SERGEANT)
    state = replace(engine.start(interest, plain).state, pending="line_manager")
    assert engine.advance(interest, state, UserInput("Reid"), plain).replies[0].kind == "problem"
    exact = engine.advance(interest, state, UserInput("tom.reid"), plain)
    assert exact.state.answers["line_manager"]["key"] == "tom.reid"
