"""The form API: a whole form's answers validated field by field, then filed at once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from bot.app import build_assistant
from bot.config import PROJECT_ROOT, Settings
from bot.directory import load_directory, sync_people
from bot.store import Store
from bot.store.models import Declaration, Person
from bot.turns import Speaker
from bot.workflows.definitions import WorkflowDefinition, load_definitions, scan_policy_sections
from bot.workflows.engine import DialogueContext
from bot.workflows.forms import fill_form

TODAY = dt.date(2026, 5, 12)
OFFICER = DialogueContext(TODAY, {"staff_type": "officer"})
GIFT = {"what": "two tickets to the rugby", "offer_type": "hospitality",
        "donor_name": "Dave Jones", "donor_organisation": "Acme Security",
        "relationship": "supplier", "tender_running": "no", "value": "£80",
        "offered_on": dt.date(2026, 5, 8), "decision": "accepted", "destination": "kept",
        "rationale": "Approved networking event"}


@pytest.fixture(scope="module")
def gift() -> WorkflowDefinition:
    return load_definitions(PROJECT_ROOT / "workflows",
                            scan_policy_sections(PROJECT_ROOT / "policies"))["gift_hospitality"]


def test_a_complete_form_gives_the_draft_the_chat_would_have(gift: WorkflowDefinition) -> None:
    filled = fill_form(gift, GIFT, OFFICER)
    assert filled.ok and filled.problems == {}
    assert filled.state is not None
    assert filled.state.answers["value"] == 8000
    assert filled.state.answers["offered_on"] == "2026-05-08"
    assert filled.state.displays["value"] == "£80.00"
    assert filled.state.phase == "confirmed"


def test_each_field_is_judged_on_its_own_and_every_problem_is_named(
        gift: WorkflowDefinition) -> None:
    filled = fill_form(gift, {**GIFT, "value": "lots", "what": "", "offered_on": "next year"},
                       OFFICER)
    assert not filled.ok and filled.state is None
    assert set(filled.problems) == {"value", "what", "offered_on"}
    assert filled.problems["what"] == "Please answer this."


def test_answers_to_fields_that_do_not_apply_are_ignored(gift: WorkflowDefinition) -> None:
    declined = {**GIFT, "decision": "declined", "destination": "nonsense"}
    filled = fill_form(gift, declined, OFFICER)
    assert filled.ok and filled.state is not None
    assert "destination" not in filled.state.answers


def test_a_blank_optional_field_is_skipped_not_stored(gift: WorkflowDefinition) -> None:
    optional = next(spec for spec in gift.fields if not spec.required)
    filled = fill_form(gift, {**GIFT, optional.name: "  "}, OFFICER)
    assert filled.ok and filled.state is not None
    assert optional.name not in filled.state.answers


@pytest.fixture
def probity(settings: Settings, store: Store, gift: WorkflowDefinition):  # noqa: ANN201
    with store.transaction() as session:
        sync_people(session, load_directory(PROJECT_ROOT / "knowledge" / "staff.yaml"))
    return build_assistant(settings, store, knowledge=_NoPolicies(),
                           definitions={"gift_hospitality": gift})


class _NoPolicies:
    def answer(self, question: str):  # noqa: ANN201
        raise AssertionError("a form never asks the policies")


def _count(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(Declaration)) or 0


def test_a_form_is_filed_once_in_one_transaction(probity, store: Store,
                                                 gift: WorkflowDefinition) -> None:
    amira = Speaker("console", "amira.khan", "Amira Khan")
    first = probity.file_form(amira, gift, GIFT, idempotency_key="form-1")
    assert first.problems == {} and first.reference and first.reference.startswith("GH-")
    again = probity.file_form(amira, gift, GIFT, idempotency_key="form-1")
    assert again.reference == first.reference and again.already_filed
    assert _count(store) == 1


def test_a_form_with_problems_files_nothing(probity, store: Store,
                                            gift: WorkflowDefinition) -> None:
    amira = Speaker("console", "amira.khan", "Amira Khan")
    outcome = probity.file_form(amira, gift, {**GIFT, "value": "lots"}, idempotency_key="k")
    assert set(outcome.problems) == {"value"} and outcome.reference is None
    assert _count(store) == 0


def test_an_identified_form_needs_someone_to_file_it(probity, gift: WorkflowDefinition) -> None:
    with pytest.raises(ValueError, match="person_id"):
        probity.file_form(None, gift, GIFT)


# -- a report form: the form API never creates a person for it ------------------------------

REPORT = {"category": "corruption", "what_happened": "A colleague takes cash from a garage",
          "when_and_where": "Most Fridays at the Eastgate garage", "who_is_involved": "",
          "evidence": "", "raised_elsewhere": "No"}


@pytest.fixture
def reporting(settings: Settings, store: Store):  # noqa: ANN201
    definitions = load_definitions(PROJECT_ROOT / "workflows",
                                   scan_policy_sections(PROJECT_ROOT / "policies"))
    return build_assistant(settings, store, knowledge=_NoPolicies(),
                           definitions={"report": definitions["report"]})


def _people(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(Person)) or 0


def test_an_anonymous_report_form_is_filed_with_nobody_behind_it(reporting, store: Store) -> None:
    definition = reporting.definitions["report"]
    outcome = reporting.file_form(None, definition, {**REPORT, "mode": "anonymous"},
                                  idempotency_key="report-1")
    assert outcome.problems == {}
    filed = next(reply for reply in outcome.replies if reply.kind == "filed")
    assert outcome.reference and outcome.reference.startswith("R-")
    # The receipt is shown once, on its own and in the text, but never in data.
    assert filed.secret and str(filed.secret) in filed.text
    assert str(filed.secret) not in str(filed.data)
    assert _people(store) == 0
    again = reporting.file_form(None, definition, {**REPORT, "mode": "anonymous"},
                                idempotency_key="report-1")
    assert again.already_filed and again.reference == outcome.reference


def test_a_confidential_report_form_seals_the_speaker_without_a_person_row(
        reporting, store: Store) -> None:
    definition = reporting.definitions["report"]
    sam = Speaker("slack", "U0STAFF01", "Sam Patel")
    outcome = reporting.file_form(sam, definition, {**REPORT, "mode": "confidential"},
                                  idempotency_key="report-2")
    assert outcome.reference and not outcome.problems
    assert _people(store) == 0


def test_a_report_form_missing_what_happened_names_that_field(reporting) -> None:
    definition = reporting.definitions["report"]
    outcome = reporting.file_form(None, definition,
                                  {**REPORT, "what_happened": "", "mode": "anonymous"})
    assert set(outcome.problems) == {"what_happened"}
