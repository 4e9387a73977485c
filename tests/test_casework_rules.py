"""Where casework's numbers come from: the workflow definitions first, settings second."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.casework.people import find_person
from bot.casework.rules import CaseworkRules, add_months
from bot.config import PROJECT_ROOT, Settings
from bot.store import Store
from bot.workflows.catalogue import WorkflowCatalogue


def test_the_bundled_workflows_set_the_gift_limit_and_review_cycle() -> None:
    rules = CaseworkRules.from_settings(Settings(workflows_dir=PROJECT_ROOT / "workflows",
                                                 gift_value_limit_pence=99_999))
    assert (rules.gift_limit_pence, rules.review_months) == (2500, 12)


def _workflows(tmp_path: Path, edit: dict[str, tuple[str, str]],
               only: tuple[str, ...] | None = None) -> Path:
    """A copy of the bundled workflows, with `edit[file] = (old, new)` applied."""
    folder = tmp_path / "workflows"
    folder.mkdir()
    for source in (PROJECT_ROOT / "workflows").glob("*.yaml"):
        if only is not None and source.stem not in only:
            continue
        text = source.read_text(encoding="utf-8")
        if source.stem in edit:
            old, new = edit[source.stem]
            assert old in text
            text = text.replace(old, new)
        (folder / source.name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("limit", "pence"), [('"£40"', 4000), ('"£12.50"', 1250)])
def test_a_workflow_limit_wins_over_the_setting(tmp_path: Path, limit: str,
                                                pence: int) -> None:
    folder = _workflows(tmp_path, {
        "gift_hospitality": ('value_limit: "£25"', f"value_limit: {limit}"),
        "business_interest": ("review_cycle_months: 12", "review_cycle_months: 6")})
    rules = CaseworkRules.from_settings(Settings(workflows_dir=folder,
                                                 gift_value_limit_pence=3300))
    assert rules.gift_limit_pence == pence
    assert rules.review_months == 6


def test_without_a_gift_workflow_the_setting_gives_the_limit(tmp_path: Path) -> None:
    folder = _workflows(tmp_path, {}, only=("business_interest",))
    rules = CaseworkRules.from_settings(Settings(workflows_dir=folder,
                                                 gift_value_limit_pence=3300))
    assert rules.gift_limit_pence == 3300


def test_the_rules_read_the_catalogue_the_root_loaded(tmp_path: Path) -> None:
    folder = _workflows(tmp_path, {
        "gift_hospitality": ('value_limit: "£25"', 'value_limit: "£30"')})
    catalogue = WorkflowCatalogue.load(folder, policies_dir=PROJECT_ROOT / "policies")
    assert catalogue.gift_limit_pence() == 3000
    assert catalogue.review_cycle_months() == 12
    assert catalogue.report_categories()["corruption"] == "Corruption or bribery"
    # Given the catalogue, nothing is read from the (now empty) folder again.
    for path in folder.glob("*.yaml"):
        path.unlink()
    rules = CaseworkRules.from_settings(Settings(workflows_dir=folder), catalogue)
    assert rules.gift_limit_pence == 3000


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
    folder = _workflows(tmp_path, {"gift_hospitality": ("tender_running", "live_tender")})
    assert CaseworkRules.from_settings(Settings(workflows_dir=folder)).tender_field == \
        "live_tender"
