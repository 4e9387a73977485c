"""The assistant over a real store: routing, filing, drafts, faults. Policy answers are faked."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event, func, select

from bot.app import build_assistant, standard_plugins
from bot.assistant import Assistant, Command, Outcome
from bot.casework.service import Casework
from bot.config import PROJECT_ROOT, Settings
from bot.directory import load_directory, sync_people
from bot.messages import say
from bot.plugins import Plugin
from bot.store import Store
from bot.store.audit import verify_chain
from bot.store.models import (
    AuditEvent,
    Conversation,
    Decision,
    Declaration,
    Person,
    UnansweredQuestion,
)
from bot.turns import Citation, Reply, Speaker, Turn
from bot.workflows import filing
from bot.workflows.definitions import (
    WorkflowDefinition,
    load_definitions,
    scan_policy_sections,
)
from bot.workflows.filing import Filing

NOW = dt.datetime(2026, 5, 12, 9, 30, tzinfo=dt.UTC)  # Tuesday 12 May 2026


@dataclasses.dataclass(frozen=True)
class FakeAnswer:
    question: str
    answered: bool
    answer: str
    citations: tuple[Citation, ...] = ()
    contact: Any = None


class FakeKnowledge:
    """Answers every question the same way and remembers what it was asked."""

    def __init__(self, answered: bool = True) -> None:
        self.answered = answered
        self.asked: list[str] = []

    def answer(self, question: str) -> FakeAnswer:
        self.asked.append(question)
        if not self.answered:
            return FakeAnswer(question, False, "The policies don't cover this.")
        citation = Citation("gifts-and-hospitality.md", "Gifts and Hospitality",
                            "6. Suppliers, bidders and tenders", 3.2, "...")
        return FakeAnswer(question, True, "Suppliers need approval.", (citation,))


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(scope="module")
def definitions() -> dict[str, WorkflowDefinition]:
    """The three bundled declarations (other areas' workflows are tested with their filers)."""
    bundled = load_definitions(PROJECT_ROOT / "workflows",
                               scan_policy_sections(PROJECT_ROOT / "policies"))
    return {name: bundled[name]
            for name in ("gift_hospitality", "business_interest", "notifiable_association")}


@pytest.fixture
def staff(store: Store) -> dict[str, Person]:
    with store.transaction() as session:
        return sync_people(session, load_directory(PROJECT_ROOT / "knowledge" / "staff.yaml"))


@pytest.fixture
def knowledge() -> FakeKnowledge:
    return FakeKnowledge()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def probity(settings: Settings, store: Store, knowledge: FakeKnowledge,
            definitions: dict[str, WorkflowDefinition], clock: Clock,
            staff: dict[str, Person]) -> Assistant:
    return build_assistant(settings, store, knowledge, definitions, clock=clock)


class Member:
    """A member of staff talking to the assistant from the terminal."""

    def __init__(self, probity: Assistant, key: str) -> None:
        self.probity = probity
        self.speaker = Speaker("console", key, key)

    def says(self, text: str | None = None, action: str | None = None) -> list[Reply]:
        return self.probity.handle(Turn(self.speaker, f"console:{self.speaker.surface_id}",
                                        text=text, action=action))

    def says_all(self, lines: list[str]) -> list[Reply]:
        replies: list[Reply] = []
        for line in lines:
            replies = self.says(line)
        return replies


GIFT = ["declare gift", "two tickets to the rugby", "hospitality", "Dave Jones",
        "Acme Security", "supplier", "no", "about 80 quid", "last friday", "accepted", "kept",
        "Networking event; I'll wait for approval"]


def declarations(store: Store) -> list[Declaration]:
    with store.session() as session:
        found = session.scalars(select(Declaration).order_by(Declaration.id)).all()
        for declaration in found:
            _ = declaration.history, declaration.decisions
        return list(found)


def conversations(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(Conversation)) or 0


def test_a_gift_is_filed_with_everything_the_register_needs(
        probity: Assistant, store: Store, staff: dict[str, Person]) -> None:
    amira = Member(probity, "amira.khan")
    summary = amira.says_all(GIFT)[-1]
    assert summary.kind == "summary"
    filed = amira.says("confirm")[-1]

    assert filed.kind == "filed"
    assert filed.data["reference"] == "GH-2026-0001"
    assert "GH-2026-0001" in filed.text
    assert "your line manager (Sgt Tom Reid)" in filed.text
    assert "Tuesday 9 June 2026" in filed.text  # 28 days on
    [gift] = declarations(store)
    assert gift.kind == "gift_hospitality" and gift.status == "submitted"
    assert gift.person_id == staff["amira.khan"].id
    assert gift.line_manager_id == staff["tom.reid"].id
    assert gift.value_pence == 8000
    assert (gift.counterparty_name, gift.counterparty_organisation,
            gift.counterparty_relationship) == ("Dave Jones", "Acme Security",
                                                "supplier_or_bidder")
    assert gift.outcome == "accepted"
    assert gift.occurred_on == dt.date(2026, 5, 8)
    assert gift.approvers == ["line_manager", "psd"]
    assert gift.decision_due == dt.date(2026, 6, 9)
    assert gift.review_due is None
    assert gift.answers["destination"] == "kept"
    assert gift.answers["tender_running"] is False
    assert gift.answers["_declarant"]["rank_or_grade"] == "PC"
    assert {hint["id"] for hint in gift.hints} == {"supplier_or_bidder", "at_or_above_limit"}
    assert gift.summary == "two tickets to the rugby - Acme Security"
    assert gift.workflow == "gift_hospitality" and gift.workflow_version == "1"
    assert [(change.from_status, change.to_status) for change in gift.history] == [
        (None, "submitted")]
    assert gift.history[0].by_person_id == staff["amira.khan"].id
    with store.session() as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.subject == "GH-2026-0001")).all()
        assert {event.action for event in events} == {"declaration.status", "declaration.filed"}
        assert verify_chain(session).intact
    assert conversations(store) == 0  # the draft went in the same transaction


def test_a_declined_offer_goes_to_psd_only(probity: Assistant, store: Store) -> None:
    amira = Member(probity, "amira.khan")
    amira.says_all(["declare a gift", "a bottle of whisky", "gift", "skip", "skip",
                    "victim", "£30", "yesterday", "declined", "Alcohol from a victim"])
    reply = amira.says("confirm")[-1]
    assert "the Professional Standards Department (PSD)" in reply.text
    assert "declined offer is exactly right" in reply.text
    [gift] = declarations(store)
    assert gift.approvers == ["psd"] and gift.outcome == "declined"
    assert {hint["id"] for hint in gift.hints} == {"alcohol_from_the_public",
                                                   "at_or_above_limit"}


BUSINESS_INTEREST = ["declare interest", "self-employed", "Driving instructor, weekends",
                     "Northmoor School of Motoring", "Eastfield", "8", "Saturdays", "yes",
                     "£4,000", "1 June", "no", "no", "no", "no", "yes", "no"]


def test_a_business_interest_is_filed_for_psd_with_a_review_in_twelve_months(
        probity: Assistant, store: Store, staff: dict[str, Person]) -> None:
    amira = Member(probity, "amira.khan")
    replies = amira.says_all(BUSINESS_INTEREST)
    assert replies[-1].field == "line_manager"
    assert replies[-1].choices[0].value == "choice:tom.reid"  # suggested from the directory
    amira.says("Grace Okafor")  # named someone else: the answer wins over the directory
    filed = amira.says("confirm")[-1]
    assert filed.data["reference"] == "BI-2026-0001"
    assert "don't start until PSD gives you permission" in filed.text  # the officer path
    assert "Tuesday 11 May 2027" not in filed.text
    assert "Wednesday 12 May 2027" in filed.text
    [interest] = declarations(store)
    assert interest.kind == "business_interest"
    assert interest.approvers == ["psd"]
    assert interest.review_due == dt.date(2027, 5, 12)
    assert interest.line_manager_id == staff["grace.okafor"].id
    assert interest.counterparty_organisation == "Northmoor School of Motoring"
    assert interest.occurred_on == dt.date(2026, 6, 1)
    assert interest.answers["hours_per_week"] == 8
    assert interest.answers["pay"] == 400000
    assert interest.answers["line_manager"]["key"] == "grace.okafor"
    assert "conflict_details" not in interest.answers
    assert interest.answers["_declarant"]["staff_type"] == "officer"


def test_police_staff_are_told_they_declare_rather_than_apply(probity: Assistant) -> None:
    lucy = Member(probity, "lucy.evans")
    intro = lucy.says("declare business interest")[0]
    assert "As a member of police staff you declare it" in intro.text


def test_a_notifiable_association_goes_to_the_acu(probity: Assistant, store: Store) -> None:
    sam = Member(probity, "sam.reid")
    sam.says_all(["declare association", "Liam Doyle", "cousin", "criminal record",
                  "occasionally", "1 March 2019", "Served two years for burglary", "no",
                  "skip"])
    filed = sam.says("confirm")[-1]
    assert filed.data["reference"] == "NA-2026-0001"
    assert "the Anti-Corruption Unit (ACU)" in filed.text
    [association] = declarations(store)
    assert association.approvers == ["acu"]
    assert association.counterparty_name == "Liam Doyle"
    assert association.counterparty_relationship == "family"
    assert association.occurred_on == dt.date(2019, 3, 1)
    assert association.review_due == dt.date(2027, 5, 12)


def test_free_text_offers_the_matching_workflow_and_yes_starts_it(probity: Assistant) -> None:
    amira = Member(probity, "amira.khan")
    [offer] = amira.says("a supplier offered me two tickets to the rugby")
    assert offer.text == "It sounds like you want to declare a gift or hospitality. Start?"
    assert [choice.value for choice in offer.choices] == ["start:gift_hospitality", "dismiss"]
    replies = amira.says("yes")
    # What the opening said is noted once and not asked: the tickets, hospitality, a supplier.
    noted = next(reply for reply in replies if reply.data.get("noted"))
    assert "two tickets to the rugby" in noted.text and "Supplier or bidder" in noted.text
    assert replies[-1].field == "donor_name"


def test_no_declines_the_offer(probity: Assistant, store: Store) -> None:
    amira = Member(probity, "amira.khan")
    amira.says("my mate with a record has moved in")
    assert amira.says("no")[0].text.startswith("OK.")
    assert conversations(store) == 0


def test_a_question_that_sounds_like_a_declaration_is_answered_first(
        probity: Assistant, knowledge: FakeKnowledge) -> None:
    amira = Member(probity, "amira.khan")
    answer, offer = amira.says("I was offered tickets by a supplier, can I accept them?")
    assert answer.kind == "answer" and answer.citations
    assert offer.text == "Would you like to declare a gift or hospitality now?"
    # The question's own words are kept: a supplier's tickets need not be asked about again.
    started = amira.says(action="start:gift_hospitality")
    assert any("Supplier or bidder" in reply.text for reply in started)
    assert started[-1].field == "donor_name"


def test_other_text_is_answered_from_the_policies(probity: Assistant,
                                                   knowledge: FakeKnowledge) -> None:
    [answer] = Member(probity, "amira.khan").says("what does the GIFT test mean")
    assert answer.kind == "answer" and knowledge.asked == ["what does the GIFT test mean"]


def test_unanswered_questions_are_kept_for_the_policy_owners_without_the_asker(
        settings: Settings, store: Store, definitions: dict[str, WorkflowDefinition],
        staff: dict[str, Person]) -> None:
    probity = build_assistant(settings, store, FakeKnowledge(answered=False), definitions,
                        clock=Clock())
    Member(probity, "amira.khan").says("what time does the canteen close")
    with store.session() as session:
        [kept] = session.scalars(select(UnansweredQuestion)).all()
    assert kept.question == "what time does the canteen close"
    assert kept.asked_on == dt.date(2026, 5, 12)


def test_a_policy_question_mid_way_is_answered_then_the_question_asked_again(
        probity: Assistant, knowledge: FakeKnowledge) -> None:
    amira = Member(probity, "amira.khan")
    amira.says_all(GIFT[:5])
    answer, question = amira.says("is this allowed?")
    assert answer.kind == "answer"
    assert question.field == "relationship"
    # A short question is searched with what the workflow is about.
    assert knowledge.asked == ["is this allowed? accepting a gift or hospitality"]
    assert amira.says("supplier")[-1].field == "tender_running"


def test_a_restart_mid_way_resumes_where_the_person_was(
        settings: Settings, store: Store, definitions: dict[str, WorkflowDefinition],
        probity: Assistant) -> None:
    Member(probity, "amira.khan").says_all(GIFT[:6])
    restarted = build_assistant(settings, store, FakeKnowledge(), definitions, clock=Clock())
    amira = Member(restarted, "amira.khan")
    replies = amira.says_all(GIFT[6:])
    assert replies[-1].kind == "summary"
    assert amira.says("confirm")[-1].data["reference"] == "GH-2026-0001"


def test_starting_something_else_mid_way_is_refused_politely(probity: Assistant) -> None:
    amira = Member(probity, "amira.khan")
    amira.says_all(GIFT[:3])
    busy, question = amira.says("declare interest")
    assert "You're in the middle of a declaration (Gift or hospitality)" in busy.text
    assert question.field == "donor_name"


def test_my_declarations_lists_status_and_the_latest_decision(
        probity: Assistant, store: Store, staff: dict[str, Person]) -> None:
    amira = Member(probity, "amira.khan")
    assert amira.says("my declarations")[0].text == "You haven't filed any declarations yet."
    amira.says_all(GIFT)
    amira.says("confirm")
    Member(probity, "lucy.evans").says_all(["declare gift", "chocolates", "gift", "skip",
                                            "skip", "public", "£8", "today", "accepted",
                                            "shared", "Shared with the team"])
    with store.transaction() as session:
        gift = session.scalars(select(Declaration).where(
            Declaration.reference == "GH-2026-0001")).one()
        gift.status = "approved_with_conditions"
        session.add(Decision(declaration_id=gift.id, outcome="approved_with_conditions",
                             rationale="Attend as the force's representative only.",
                             decided_by_id=staff["priya.shah"].id))
    [listing] = amira.says("my declarations")
    assert listing.kind == "list"
    [row] = listing.data["rows"]
    assert row["reference"] == "GH-2026-0001"
    assert row["title"] == "Gift or hospitality"
    assert row["status"] == "Approved with conditions"
    assert row["decision"] == "Approved with conditions"
    assert row["rationale"] == "Attend as the force's representative only."
    assert "two tickets to the rugby" in listing.text


def test_the_integrity_units_question_is_shown_and_answered_from_chat(
        probity: Assistant, settings: Settings, store: Store,
        staff: dict[str, Person]) -> None:
    from bot.casework.service import Casework

    amira = Member(probity, "amira.khan")
    amira.says_all(GIFT)
    amira.says("confirm")
    unit = Casework(store, replace(settings, handlers=("priya.shah",)))
    unit.request_information("GH-2026-0001", "Who else from the team was invited?",
                             by=staff["priya.shah"])

    [listing] = amira.says("my declarations")
    [row] = listing.data["rows"]
    assert row["question"] == "Who else from the team was invited?"
    assert "answer GH-2026-0001" in listing.text

    [refused] = Member(probity, "lucy.evans").says("answer GH-2026-0001 Nobody, honestly")
    assert refused.kind == "problem"
    [usage] = amira.says("answer")
    assert usage.kind == "problem" and "answer GH-2026-0042" in usage.text

    [sent] = amira.says("answer gh-2026-1 Only me; the others declined")
    assert "gone back to the integrity unit" in sent.text
    [gift] = declarations(store)
    assert gift.status == "submitted"
    assert gift.history[-1].note == "Only me; the others declined"
    [listing] = amira.says("my declarations")
    assert listing.data["rows"][0]["question"] is None


def test_a_refusal_can_be_appealed_from_chat(
        probity: Assistant, settings: Settings, store: Store,
        staff: dict[str, Person]) -> None:
    from bot.casework.service import Casework

    amira = Member(probity, "amira.khan")
    amira.says_all(GIFT)
    amira.says("confirm")
    unit = Casework(store, replace(settings, handlers=("priya.shah",)))
    unit.decide("GH-2026-0001", "refused", "Hospitality from a bidder during a tender.",
                by=staff["priya.shah"])

    [listing] = amira.says("my declarations")
    assert "appeal GH-2026-0001" in listing.text

    [refused] = Member(probity, "lucy.evans").says("appeal GH-2026-0001 Not mine to appeal")
    assert refused.kind == "problem"
    [lodged] = amira.says("appeal GH-2026-0001 The tender had closed the week before")
    assert "appeal on GH-2026-0001 is lodged" in lodged.text
    [gift] = declarations(store)
    assert gift.status == "appealed"
    [again] = amira.says("appeal GH-2026-0001 And again")
    assert again.kind == "problem"


def test_my_declarations_mid_way_shows_the_list_and_asks_again(probity: Assistant) -> None:
    amira = Member(probity, "amira.khan")
    amira.says_all(GIFT[:2])
    listing, question = amira.says("my declarations")
    assert listing.kind == "list" and question.field == "offer_type"


def test_cancel_deletes_the_draft_and_files_nothing(probity: Assistant, store: Store) -> None:
    amira = Member(probity, "amira.khan")
    amira.says_all(GIFT[:4])
    assert "Nothing was filed" in amira.says("cancel")[0].text
    assert conversations(store) == 0 and declarations(store) == []
    assert amira.says("cancel")[0].text == "There's nothing in progress to cancel."


def test_a_fault_while_filing_apologises_and_keeps_the_draft(
        probity: Assistant, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    amira = Member(probity, "amira.khan")
    amira.says_all(GIFT)

    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("database went away")

    monkeypatch.setattr(filing, "allocate_reference", broken)
    [apology] = amira.says("confirm")
    assert apology.kind == "problem" and apology.text.startswith("Sorry")
    assert declarations(store) == [] and conversations(store) == 1
    monkeypatch.undo()
    assert amira.says("confirm")[-1].data["reference"] == "GH-2026-0001"


def _file_gift_with_key(probity: Assistant, who: str, key: str) -> Reply:
    """One form submission: a gift's answers in a conversation of the form's own, each turn
    carrying the form's idempotency key, ending with the confirmation that files it."""
    speaker = Speaker("console", who, who)
    conversation = f"form:{key}:{who}"
    for line in GIFT:
        probity.handle(Turn(speaker, conversation, text=line, idempotency_key=key))
    return probity.handle(Turn(speaker, conversation, action="confirm",
                               idempotency_key=key))[-1]


def test_a_submission_repeated_with_the_same_key_files_nothing_new(
        probity: Assistant, store: Store) -> None:
    first = _file_gift_with_key(probity, "amira.khan", "form-key-1")
    assert first.kind == "filed" and not first.data["already_filed"]
    [gift] = declarations(store)
    assert gift.idempotency_key == "form-key-1"  # set as it was filed, not afterwards

    again = _file_gift_with_key(probity, "amira.khan", "form-key-1")
    assert again.kind == "filed" and again.data["already_filed"]
    assert again.data["reference"] == first.data["reference"] == gift.reference
    assert [d.reference for d in declarations(store)] == [gift.reference]
    with store.session() as session:
        filed_events = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "declaration.filed"))
    assert filed_events == 1
    assert conversations(store) == 0

    # A new form (a new key) is a new declaration.
    other = _file_gift_with_key(probity, "amira.khan", "form-key-2")
    assert other.data["reference"] != gift.reference and len(declarations(store)) == 2


def test_someone_elses_idempotency_key_is_refused(probity: Assistant, store: Store) -> None:
    _file_gift_with_key(probity, "amira.khan", "form-key-1")
    stolen = _file_gift_with_key(probity, "lucy.evans", "form-key-1")
    assert stolen.kind == "problem" and "GH-" not in stolen.text
    assert len(declarations(store)) == 1


def test_abandoned_drafts_expire_and_are_deleted(
        probity: Assistant, store: Store, clock: Clock, settings: Settings) -> None:
    amira = Member(probity, "amira.khan")
    amira.says_all(GIFT[:5])
    clock.now = NOW + dt.timedelta(hours=settings.draft_expiry_hours - 1)
    assert amira.says("supplier")[-1].field == "tender_running"  # activity keeps it alive
    clock.now += dt.timedelta(hours=settings.draft_expiry_hours + 1)
    Member(probity, "lucy.evans").says("hello")  # any turn purges expired drafts
    assert conversations(store) == 0
    [answer] = amira.says("no")
    # No draft left to take the "no": it is read afresh (as small talk), not as an answer.
    assert answer.kind in {"answer", "message"} and not answer.field


def test_drafts_of_unpersisted_workflows_stay_out_of_the_database(
        settings: Settings, store: Store, definitions: dict[str, WorkflowDefinition],
        staff: dict[str, Person]) -> None:
    quiet = dataclasses.replace(definitions["gift_hospitality"], name="quiet_gift",
                                persist_draft=False)
    probity = build_assistant(settings, store, FakeKnowledge(), {"quiet_gift": quiet},
                              clock=Clock())
    amira = Member(probity, "amira.khan")
    amira.says(action="start:quiet_gift")
    amira.says_all(GIFT[1:])
    assert conversations(store) == 0
    assert amira.says("confirm")[-1].data["reference"] == "GH-2026-0001"
    assert conversations(store) == 0


def test_another_kind_of_record_plugs_in_with_one_registration(
        settings: Settings, store: Store, definitions: dict[str, WorkflowDefinition],
        staff: dict[str, Person], monkeypatch: pytest.MonkeyPatch) -> None:
    received: list[Filing] = []

    def file_postcard(session: Any, filing_request: Filing) -> list[Reply]:
        received.append(filing_request)
        return [Reply("Posted.", kind="filed")]

    postcards = Plugin("postcards", filers={
        "postcard": filing.FilerEntry(file_postcard, identified=False)})
    postcard = dataclasses.replace(definitions["gift_hospitality"], name="postcard",
                                   files="postcard")
    probity = build_assistant(settings, store, FakeKnowledge(), {"postcard": postcard},
                              clock=Clock(), plugins=[postcards])
    amira = Member(probity, "amira.khan")
    amira.says(action="start:postcard")
    amira.says_all(GIFT[1:])
    assert amira.says("confirm")[-1].text == "Posted."
    assert received[0].declarant is None  # an anonymous filer never learns who spoke
    assert received[0].state["answers"]["what"] == "two tickets to the rugby"


def test_keyword_commands_can_be_added_by_other_areas(
        settings: Settings, store: Store, knowledge: FakeKnowledge,
        definitions: dict[str, WorkflowDefinition], clock: Clock,
        staff: dict[str, Person]) -> None:
    def chase(assistant: Any, context: Any, rest: str) -> Outcome:
        return Outcome([Reply(f"Chasing {rest or 'nothing'}.")])

    chasing = Plugin("chasing", commands=(
        Command("chase", ("chase up",), chase, takes_argument=True),))
    probity = build_assistant(
        settings, store, knowledge, definitions, clock=clock,
        plugins=[*standard_plugins(Casework(store, settings)), chasing])
    amira = Member(probity, "amira.khan")
    assert amira.says("chase up BI-2026-0001")[0].text == "Chasing bi-2026-0001."
    # Mid-way, words that merely start like a command are an answer to the question.
    amira.says_all(BUSINESS_INTEREST[:2])
    amira.says("chase up late invoices for clients")
    assert amira.says("Northmoor Consulting")[-1].field == "business_address"


def test_help_lists_what_can_be_declared(probity: Assistant) -> None:
    [help_reply] = Member(probity, "amira.khan").says("help")
    assert "declare gift: Gift or hospitality" in help_reply.text
    assert "declare interest: Business interest" in help_reply.text
    assert "my declarations" in help_reply.text


def test_blank_or_unreadable_answers_re_prompt_without_losing_anything(
        probity: Assistant) -> None:
    amira = Member(probity, "amira.khan")
    amira.says_all(GIFT[:3])
    problem, question = amira.says("   ")
    assert problem.kind == "problem" and question.field == "donor_name"
    problem, question = amira.says(action="choice:nonsense")
    assert question.field == "donor_name"
    replies = amira.says_all(GIFT[3:])
    assert replies[-1].kind == "summary"
    assert len(replies[-1].data["rows"]) == 11


# -- two turns on one conversation at once --------------------------------------------------


@pytest.fixture
def second_process(settings: Settings, knowledge: FakeKnowledge,
                   definitions: dict[str, WorkflowDefinition], clock: Clock):  # noqa: ANN201
    """Another Probity process: its own Store and Assistant over the same database."""
    other = Store.open(settings, upgrade=False)
    yield build_assistant(settings, other, knowledge, definitions, clock=clock)
    other.dispose()


def _interleave(first: Assistant, other_turns: list[str | None]) -> None:
    """Make `first` route each turn only after `other` takes one of its turns in between."""
    route = first._route

    def route_late(context: Any) -> Outcome:
        if other_turns:
            said = other_turns.pop(0)
            if said is not None:
                Member(first.other, "amira.khan").says(said)  # type: ignore[attr-defined]
        return route(context)

    first._route = route_late  # type: ignore[method-assign]


def _state(store: Store) -> dict[str, Any]:
    with store.session() as session:
        row = session.scalars(select(Conversation)).one()
        return row.state


def test_two_answers_at_once_both_count_and_neither_overwrites_the_other(
        probity: Assistant, second_process: Assistant, store: Store) -> None:
    amira = Member(probity, "amira.khan")
    amira.says("declare gift")
    probity.other = second_process  # type: ignore[attr-defined]
    # The other process answers "what" between this turn's read and its write.
    _interleave(probity, ["two tickets to the rugby"])
    replies = amira.says("hospitality")
    answers = _state(store)["answers"]
    # Taken again from the new state, "hospitality" answered the next question.
    assert answers == {"what": "two tickets to the rugby", "offer_type": "hospitality"}
    assert replies[-1].field == "donor_name"


def test_a_turn_that_loses_twice_asks_to_be_sent_again_and_stores_nothing_stale(
        probity: Assistant, second_process: Assistant, store: Store) -> None:
    amira = Member(probity, "amira.khan")
    amira.says("declare gift")
    probity.other = second_process  # type: ignore[attr-defined]
    _interleave(probity, ["two tickets to the rugby", "hospitality"])
    replies = amira.says("Dave Jones")
    assert [reply.text for reply in replies] == [say("assistant.crossed")]
    state = _state(store)
    assert state["answers"] == {"what": "two tickets to the rugby", "offer_type": "hospitality"}
    assert state["pending"] == "donor_name"
    assert amira.says("Dave Jones")[-1].field == "donor_organisation"


def test_a_confirm_racing_a_change_files_nothing_stale(
        probity: Assistant, second_process: Assistant, store: Store) -> None:
    amira = Member(probity, "amira.khan")
    amira.says_all(GIFT)
    probity.other = second_process  # type: ignore[attr-defined]
    # While "confirm" is in flight, the other process opens the value for change: the
    # confirm is taken again and, the draft no longer being at its summary, files nothing.
    _interleave(probity, ["change the value", None])
    amira.says("confirm")
    assert declarations(store) == []
    assert _state(store)["pending"] == "value"


def test_a_new_conversation_started_twice_at_once_keeps_one_row(
        probity: Assistant, second_process: Assistant, store: Store) -> None:
    amira = Member(probity, "amira.khan")
    probity.other = second_process  # type: ignore[attr-defined]
    _interleave(probity, ["declare gift"])
    amira.says("declare association")
    # The second start found a draft in progress and said so, rather than replacing it.
    assert _state(store)["workflow"] == "gift_hospitality"
    assert conversations(store) == 1


def test_a_new_users_first_turns_arriving_together_make_one_person(
        probity: Assistant, store: Store) -> None:
    """Both turns find no Person row and both insert; one wins, the other reads its row."""
    turns = 4
    inserting = threading.Barrier(turns, timeout=2)

    def wait_for_the_others(*_: Any) -> None:
        # Hold each insert until all are ready, so they really collide. SQLite serialises
        # writers at BEGIN, so there the wait times out and they go one by one.
        with contextlib.suppress(threading.BrokenBarrierError):
            inserting.wait()

    event.listen(Person, "before_insert", wait_for_the_others)
    newcomer = Speaker("slack", "U0NEW", "New Starter")
    try:
        with ThreadPoolExecutor(turns) as pool:
            replies = list(pool.map(lambda n: probity.handle(
                Turn(newcomer, f"slack:U0NEW:{n}", text="my declarations")), range(turns)))
    finally:
        event.remove(Person, "before_insert", wait_for_the_others)
    assert all(found[-1].text == say("declarations_chat.no_declarations") for found in replies)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Person).where(
            Person.surface_id == "U0NEW")) == 1
