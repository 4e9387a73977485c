"""Where casework's numbers come from: the workflow definitions first, settings second."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.casework.people import find_person
from bot.casework.rules import CaseworkRules, add_months
from bot.config import PROJECT_ROOT, Settings
from bot.store import Store


def test_the_bundled_workflows_set_the_gift_limit_and_review_cycle() -> None:
    rules = CaseworkRules.from_settings(Settings(workflows_dir=PROJECT_ROOT / "workflows",
                                                 gift_value_limit_pence=99_999))
    assert (rules.gift_limit_pence, rules.review_months) == (2500, 12)


@pytest.mark.parametrize(("yaml_text", "pence"), [
    ("limits:\n  value_limit: \"£40\"\n", 4000),
    ("limits:\n  value_limit_pence: 1000\n", 1000),
    ("value_limit: 7.5\n", 750),
    ("title: no limit here\n", 3300),
])
def test_a_workflow_limit_wins_over_the_setting(tmp_path: Path, yaml_text: str,
                                                pence: int) -> None:
    (tmp_path / "gift_hospitality.yaml").write_text(yaml_text, encoding="utf-8")
    (tmp_path / "business_interest.yaml").write_text("review_cycle: 6 months\n",
                                                     encoding="utf-8")
    rules = CaseworkRules.from_settings(Settings(workflows_dir=tmp_path,
                                                 gift_value_limit_pence=3300))
    assert rules.gift_limit_pence == pence
    assert rules.review_months == 6


def test_senior_ranks_are_compared_without_case() -> None:
    rules = CaseworkRules.from_settings(Settings(senior_ranks=("Chief Superintendent",)))
    assert rules.is_senior("chief superintendent")
    assert rules.is_senior("Det. Chief  Superintendent")
    assert not rules.is_senior("Superintendent") and not rules.is_senior(None)


def test_the_default_senior_ranks_know_the_usual_abbreviations() -> None:
    rules = CaseworkRules.from_settings(Settings())
    assert all(rules.is_senior(rank) for rank in ("Supt", "Det Supt", "Ch Supt", "ACC", "CC"))
    assert not any(rules.is_senior(rank) for rank in ("Insp", "DI", "Sgt", "PC", "Grade 8"))


@pytest.mark.parametrize(("day", "months", "expected"), [
    ("2026-01-31", 1, "2026-02-28"),
    ("2024-02-29", 12, "2025-02-28"),
    ("2026-11-15", 3, "2027-02-15"),
    ("2026-03-01", 12, "2027-03-01"),
])
def test_add_months(day: str, months: int, expected: str) -> None:
    assert add_months(dt.date.fromisoformat(day), months) == dt.date.fromisoformat(expected)


def test_as_name_finds_someone_in_the_directory_who_never_used_probity(
    store: Store, tmp_path: Path,
) -> None:
    directory = tmp_path / "staff.yaml"
    directory.write_text(
        "staff:\n"
        "  - {key: psd.khan, name: Sam Khan, rank_or_grade: Inspector, staff_type: officer,"
        " team: PSD, line_manager: psd.okafor}\n"
        "  - {key: psd.okafor, name: Ada Okafor, rank_or_grade: Chief Inspector,"
        " staff_type: officer}\n", encoding="utf-8")
    with store.transaction() as session:
        person = find_person(session, "sam khan", directory)
        assert (person.surface, person.surface_id, person.rank_or_grade) == \
            ("console", "psd.khan", "Inspector")
        assert person.line_manager is not None
        assert person.line_manager.display_name == "Ada Okafor"
    with store.transaction() as session:
        assert find_person(session, "psd.khan", directory).id == person.id


def test_the_tender_question_is_read_from_the_gift_workflow(tmp_path: Path) -> None:
    bundled = CaseworkRules.from_settings(Settings(workflows_dir=PROJECT_ROOT / "workflows"))
    assert bundled.tender_field == "tender_running"
    (tmp_path / "gift_hospitality.yaml").write_text(
        "fields:\n  - {name: bidder, type: choice}\n  - {name: live_tender, type: yes_no}\n",
        encoding="utf-8")
    assert CaseworkRules.from_settings(Settings(workflows_dir=tmp_path)).tender_field == \
        "live_tender"
