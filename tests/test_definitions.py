"""Workflow definitions: the bundled ones load, and each kind of mistake stops start-up clearly."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.assistant import Assistant
from bot.config import PROJECT_ROOT, Settings
from bot.workflows.conditions import Comparison
from bot.workflows.definitions import (
    DefinitionError,
    PolicySection,
    load_definition,
    load_definitions,
    normalise_section,
    scan_policy_sections,
)

SECTIONS = [
    PolicySection("gifts.md", "Gifts", "1. Scope"),
    PolicySection("gifts.md", "Gifts", "8. Never acceptable"),
]


def minimal() -> dict[str, Any]:
    """The smallest valid definition; each test breaks one thing in a copy of it."""
    return copy.deepcopy({
        "name": "small_gift",
        "kind": "gift_hospitality",
        "title": "Gift",
        "noun": "a gift",
        "files": "declaration",
        "commands": ["gift"],
        "intents": ["offered"],
        "limits": {"value_limit": "£25"},
        "fields": [
            {"name": "what", "label": "What", "type": "text", "prompt": "What?", "help": "Say."},
            {"name": "value", "label": "Value", "type": "money", "prompt": "Worth?",
             "help": "Pounds."},
            {"name": "source", "label": "From", "type": "choice", "prompt": "From?",
             "help": "Pick.", "options": [{"value": "public", "label": "Public"},
                                          {"value": "supplier", "label": "Supplier"}]},
        ],
        "hints": [{"id": "cash", "after": "what", "when": {"field": "what", "mentions": ["cash"]},
                   "text": "No cash.", "cite": {"document": "gifts.md",
                                                "section": "Never acceptable"}}],
        "approvers": {"psd": "PSD", "line_manager": "your line manager"},
        "route": [{"when": {"field": "value", "at_least": "$value_limit"},
                   "approvers": ["line_manager", "psd"]},
                  {"approvers": ["psd"]}],
        "description": ["what"],
        "summary": {"intro": "Check it."},
        "filed": "Filed as {reference}, due {decision_due}.",
    })


def load(tmp_path: Path, raw: dict[str, Any]):  # noqa: ANN201 - a WorkflowDefinition
    path = tmp_path / "small_gift.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    sections = {(s.document, normalise_section(s.section)): s for s in SECTIONS}
    return load_definition(path, sections)


def problem_with(tmp_path: Path, raw: dict[str, Any]) -> str:
    with pytest.raises(DefinitionError) as raised:
        load(tmp_path, raw)
    assert raised.value.source.endswith("small_gift.yaml")
    assert str(raised.value).startswith(raised.value.source)
    return raised.value.problem


def test_the_bundled_workflows_load_against_the_bundled_policies() -> None:
    definitions = load_definitions(PROJECT_ROOT / "workflows",
                                   scan_policy_sections(PROJECT_ROOT / "policies"))
    assert {"gift_hospitality", "business_interest", "notifiable_association"} <= set(
        definitions)
    gift = definitions["gift_hospitality"]
    assert gift.limits == {"value_limit": 2500}
    assert gift.limit_texts() == {"value_limit": "£25"}
    assert {hint.citation.document for hint in gift.hints} == {"gifts-and-hospitality.md"}
    assert definitions["business_interest"].review_cycle_months == 12
    assert definitions["notifiable_association"].route[0].approvers == ("acu",)


def test_the_gift_limit_is_data_in_the_yaml_not_code(tmp_path: Path) -> None:
    raw = minimal()
    raw["limits"]["value_limit"] = "£50"
    rule = load(tmp_path, raw).route[0].when
    assert isinstance(rule, Comparison) and rule.operand == 5000


def test_a_minimal_definition_loads(tmp_path: Path) -> None:
    definition = load(tmp_path, minimal())
    assert [spec.name for spec in definition.fields] == ["what", "value", "source"]
    assert definition.fields[0].required
    assert definition.hints[0].citation.section == "8. Never acceptable"
    assert definition.persist_draft is True


def test_an_unknown_field_type_is_named(tmp_path: Path) -> None:
    raw = minimal()
    raw["fields"][0]["type"] = "colour"
    assert "field 'what' has unknown type 'colour'" in problem_with(tmp_path, raw)


def test_a_duplicate_field_is_refused(tmp_path: Path) -> None:
    raw = minimal()
    raw["fields"].append(dict(raw["fields"][0]))
    assert "field 'what' is defined twice" in problem_with(tmp_path, raw)


def test_show_if_on_a_missing_field_is_refused(tmp_path: Path) -> None:
    raw = minimal()
    raw["fields"][2]["show_if"] = {"field": "colour", "is": "red"}
    assert "names field 'colour', which does not exist" in problem_with(tmp_path, raw)


def test_show_if_on_a_later_field_is_refused(tmp_path: Path) -> None:
    raw = minimal()
    raw["fields"][0]["show_if"] = {"field": "source", "is": "public"}
    assert "names field 'source', which is asked later" in problem_with(tmp_path, raw)


def test_a_hint_citing_a_missing_section_is_refused(tmp_path: Path) -> None:
    raw = minimal()
    raw["hints"][0]["cite"]["section"] = "Cash gifts"
    assert "cites section 'Cash gifts' of gifts.md, which has no such heading" in problem_with(
        tmp_path, raw)


def test_a_hint_citing_a_missing_document_is_refused(tmp_path: Path) -> None:
    raw = minimal()
    raw["hints"][0]["cite"]["document"] = "presents.md"
    assert "cites 'presents.md', which is not a policy document" in problem_with(tmp_path, raw)


def test_a_hint_may_cite_a_section_with_or_without_its_number(tmp_path: Path) -> None:
    raw = minimal()
    raw["hints"][0]["cite"]["section"] = "8. Never acceptable"
    assert load(tmp_path, raw).hints[0].citation.section == "8. Never acceptable"


def test_a_hint_looking_at_a_later_answer_is_refused(tmp_path: Path) -> None:
    raw = minimal()
    raw["hints"][0]["when"] = {"field": "source", "is": "supplier"}
    assert "names field 'source', which is asked later" in problem_with(tmp_path, raw)


def test_a_choice_condition_must_name_a_real_option(tmp_path: Path) -> None:
    raw = minimal()
    raw["route"][0]["when"] = {"field": "source", "is": "offender"}
    assert "'offender' is not an option of 'source'" in problem_with(tmp_path, raw)


def test_money_is_compared_only_with_a_named_limit(tmp_path: Path) -> None:
    raw = minimal()
    raw["route"][0]["when"] = {"field": "value", "at_least": 25}
    assert "compare money with a named limit" in problem_with(tmp_path, raw)
    raw["route"][0]["when"] = {"field": "value", "at_least": "$gift_limit"}
    assert "'$gift_limit' names no limit" in problem_with(tmp_path, raw)


def test_an_operator_must_suit_the_field_type(tmp_path: Path) -> None:
    raw = minimal()
    raw["hints"][0]["when"] = {"field": "what", "at_least": 3}
    assert "'at_least' cannot be used on text field 'what'" in problem_with(tmp_path, raw)


def test_the_route_must_end_with_a_rule_for_everything_else(tmp_path: Path) -> None:
    raw = minimal()
    raw["route"] = raw["route"][:1]
    assert "the last route rule must have no 'when'" in problem_with(tmp_path, raw)


def test_the_route_may_only_name_described_approvers(tmp_path: Path) -> None:
    raw = minimal()
    raw["route"][1]["approvers"] = ["chief_constable"]
    assert "names approver 'chief_constable'" in problem_with(tmp_path, raw)


def test_unknown_keys_are_refused_so_typos_do_not_pass_silently(tmp_path: Path) -> None:
    raw = minimal()
    raw["feilds"] = []
    assert "unknown key(s) feilds" in problem_with(tmp_path, raw)
    raw = minimal()
    raw["fields"][0]["requried"] = True
    assert "field 'what' has unknown key(s) requried" in problem_with(tmp_path, raw)


def test_wording_may_use_only_known_placeholders(tmp_path: Path) -> None:
    raw = minimal()
    raw["filed"] = "Filed as {ref}."
    assert "filed uses {ref}" in problem_with(tmp_path, raw)


def test_a_bare_yes_in_synonyms_gets_a_helpful_message(tmp_path: Path) -> None:
    raw = minimal()
    raw["fields"][2]["options"][0]["synonyms"] = [True]
    assert "put yes, no, on and off in quotes" in problem_with(tmp_path, raw)


def test_broken_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"broken\.yaml: is not valid YAML"):
        load_definition(path, {})


def test_start_up_refuses_a_definition_nobody_can_file(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    raw = minimal()
    raw["files"] = "postcard"
    definition = load(tmp_path, raw)
    with pytest.raises(DefinitionError, match="files: 'postcard' is not something Probity "
                                              "can file"):
        Assistant(settings, store=None, knowledge=None,  # type: ignore[arg-type]
                  definitions={definition.name: definition})


def test_start_up_stops_on_the_first_bad_file_in_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "workflows"
    folder.mkdir()
    for source in (PROJECT_ROOT / "workflows").glob("*.yaml"):
        (folder / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    broken = yaml.safe_load((folder / "gift_hospitality.yaml").read_text(encoding="utf-8"))
    broken["hints"][0]["cite"]["section"] = "Cash and cheques"
    (folder / "gift_hospitality.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"gift_hospitality\.yaml: hint 'cash_or_vouchers'"):
        load_definitions(folder, scan_policy_sections(PROJECT_ROOT / "policies"))


def test_from_opening_takes_true_or_the_words_after_which_the_answer_starts(
        tmp_path: Path) -> None:
    raw = minimal()
    raw["fields"][0]["from_opening"] = {"after": ["offered me"]}
    raw["fields"][2]["from_opening"] = True
    definition = load(tmp_path, raw)
    assert definition.fields[0].from_opening == ("offered me",)
    assert definition.fields[2].from_opening == ()
    assert definition.fields[1].from_opening is None


def test_from_opening_is_refused_where_it_cannot_work(tmp_path: Path) -> None:
    raw = minimal()
    raw["fields"][1]["from_opening"] = True
    assert "'from_opening' works on" in problem_with(tmp_path, raw)
    raw = minimal()
    raw["fields"][0]["from_opening"] = {"before": ["x"]}
    assert "{after: [phrases]}" in problem_with(tmp_path, raw)
    raw = minimal()
    raw["fields"][2]["options"][0]["synonyms"] = ["yes"]
    raw["fields"][2]["from_opening"] = True
    # "yes" takes a suggestion, so it cannot also pick an option.
    assert "'yes' or 'no' among its synonyms" in problem_with(tmp_path, raw)


def test_date_precision_and_money_period_are_checked(tmp_path: Path) -> None:
    raw = minimal()
    raw["fields"].append({"name": "since", "label": "Since", "type": "date",
                          "prompt": "Since?", "help": "When.", "precision": "month"})
    raw["fields"][1]["period"] = "year"
    definition = load(tmp_path, raw)
    assert definition.field("since").precision == "month"
    assert definition.field("what").precision == "day"
    assert definition.field("value").period == "year"
    raw["fields"][-1]["precision"] = "week"
    assert "'precision' may be day, month, got 'week'" in problem_with(tmp_path, raw)
    raw = minimal()
    raw["fields"][0]["precision"] = "month"
    assert "'precision' applies only to date fields" in problem_with(tmp_path, raw)
    raw = minimal()
    raw["fields"][0]["period"] = "year"
    assert "'period' applies only to money fields" in problem_with(tmp_path, raw)
