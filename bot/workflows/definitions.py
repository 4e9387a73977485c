"""Workflow definitions: workflows/*.yaml read into typed objects and checked at start-up.

Every mistake an organisation could make while editing a definition (an unknown field type,
a condition on a missing or later field, a hint citing a policy section that does not exist)
stops loading with a DefinitionError naming the file and the problem, so a broken definition
never reaches a member of staff half-way through a declaration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from bot.messages import say
from bot.workflows.conditions import (
    OPERATORS,
    Comparison,
    Condition,
    ConditionError,
    operands_of,
    parse_condition,
)
from bot.workflows.fields import FIELD_TYPES, Option, format_money
from bot.yamlio import YAMLError, load_yaml_file

#: Declaration columns a definition may fill from an answer, and the field types that fit.
RECORD_COLUMNS: dict[str, frozenset[str]] = {
    "value_pence": frozenset({"money"}),
    "counterparty_name": frozenset({"text", "person", "organisation"}),
    "counterparty_organisation": frozenset({"text", "organisation"}),
    "counterparty_relationship": frozenset({"choice", "text"}),
    "outcome": frozenset({"choice"}),
    "occurred_on": frozenset({"date"}),
    "line_manager": frozenset({"person"}),
}

#: Placeholders filled in when a declaration is filed, beside the definition's own limits.
FILING_PLACEHOLDERS = frozenset({"reference", "reviewers", "decision_due", "review_due"})

#: Directory facts a person field may offer as a one-tap suggestion.
SUGGESTIONS = frozenset({"line_manager"})

_TOP_LEVEL = {
    "name", "version", "kind", "title", "noun", "files", "persist_draft", "commands",
    "intents", "limits", "intro", "fields", "hints", "approvers", "route",
    "review_cycle_months", "record", "description", "summary", "filed", "next_steps",
    "question_context", "examples",
}
_FIELD_KEYS = {
    "name", "label", "type", "prompt", "help", "optional", "options", "show_if",
    "allow_future", "allow_past", "min", "max", "suggest", "from_opening", "precision",
    "period", "in_passing", "if_unsure",
}
#: What a fact said in passing does: fills the answer ("note", the default) or is offered
#: back when the question is asked ("suggest"), for questions a passing mention often
#: answers about something else ("since last month" may date the arrest, not the friendship).
IN_PASSING = frozenset({"note", "suggest"})
#: Field types whose answer may be suggested from the words that started the workflow.
OPENING_TYPES = frozenset({"text", "long_text", "organisation", "choice"})
#: How exact a date must be: a day (the default), or a month or year is enough.
DATE_PRECISIONS = frozenset({"day", "month"})
#: What a money field's amount is for: a yearly figure converts "£150 a week".
MONEY_PERIODS = frozenset({"year"})
#: What a number field counts per: hours "a week" turn "20 hours a month" into a week.
NUMBER_PERIODS = frozenset({"week"})
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_SECTION_NUMBER = re.compile(r"^\s*\d+(\.\d+)*\.?\s*")


class DefinitionError(ValueError):
    """A workflow definition cannot be used; says which file and what is wrong."""

    def __init__(self, source: Path | str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = str(source)
        self.problem = problem


@dataclass(frozen=True)
class PolicySection:
    """A section of a policy document a hint may cite."""

    document: str  # the file name, e.g. "gifts-and-hospitality.md"
    title: str  # the document's title
    section: str  # the heading as written, e.g. "8. Never acceptable"


@dataclass(frozen=True)
class FieldSpec:
    """One question: what it asks, how its answer is read, and when it is asked."""

    name: str
    label: str
    type: str
    prompt: str
    help: str
    required: bool
    options: tuple[Option, ...] = ()
    show_if: Condition | None = None
    allow_future: bool | None = None
    allow_past: bool | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    suggest: str | None = None
    #: Set when the words that started the workflow may suggest this answer; the phrases
    #: after which the answer begins ("offered me"), possibly none.
    from_opening: tuple[str, ...] | None = None
    #: Dates: "day" (the default) or "month" (a month or a year will do).
    precision: str = "day"
    #: Money: "year" when the amount is a yearly figure ("£150 a week" is converted).
    period: str | None = None
    #: A fact found in passing (in the opening or another answer): "note" fills the
    #: answer, "suggest" offers it back when the question is asked (see IN_PASSING).
    in_passing: str = "note"
    #: Yes/no: the answer "don't know" or "maybe" stands for (the cautious one, said back
    #: as such), or None to ask again.
    if_unsure: bool | None = None


@dataclass(frozen=True)
class Hint:
    """A warning shown right after `after` is answered, when `when` holds, citing the policy."""

    id: str
    after: str
    when: Condition
    text: str
    citation: PolicySection


@dataclass(frozen=True)
class RouteRule:
    """Who must review a filing; the first rule whose condition holds decides."""

    approvers: tuple[str, ...]
    when: Condition | None = None


@dataclass(frozen=True)
class ConditionalText:
    """A paragraph shown only when its condition holds (always, without one)."""

    text: str
    when: Condition | None = None


@dataclass(frozen=True)
class WorkflowDefinition:
    """A whole guided workflow, validated: see workflows/SCHEMA.md for each part."""

    name: str
    source: str
    version: str
    kind: str
    title: str
    noun: str
    files: str
    persist_draft: bool
    commands: tuple[str, ...]
    intents: tuple[str, ...]
    limits: Mapping[str, int]
    intro: tuple[ConditionalText, ...]
    fields: tuple[FieldSpec, ...]
    hints: tuple[Hint, ...]
    approvers: Mapping[str, str]
    route: tuple[RouteRule, ...]
    review_cycle_months: int | None
    record: Mapping[str, str]
    description: tuple[str, ...]
    summary_intro: str
    filed: str
    next_steps: tuple[ConditionalText, ...]
    #: Words added to a short policy question asked mid-way ("is this allowed?"), so the
    #: search knows what "this" is.
    question_context: str = ""
    #: Messages that mean "I want this workflow", for the intent classifier to learn from.
    examples: tuple[str, ...] = ()

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def limit_texts(self) -> dict[str, str]:
        """Each limit as a person reads it ("£25"), for placeholders in wording."""
        # Whole pounds read better in wording: "£25 or more", not "£25.00 or more".
        return {name: f"£{pence // 100:,}" if pence % 100 == 0 else format_money(pence)
                for name, pence in self.limits.items()}


def normalise_section(heading: str) -> str:
    """A heading without its number, so "8. Never acceptable" matches "Never acceptable"."""
    return " ".join(_SECTION_NUMBER.sub("", heading).casefold().split())


def scan_policy_sections(policies_dir: Path) -> list[PolicySection]:
    """The headed sections of the Markdown policies in a folder, for checking citations.

    A stand-in for asking the knowledge index: it reads only what hints can cite
    (Markdown headings), which is all the loader needs.
    """
    found = []
    for path in sorted(policies_dir.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        title_match = re.search(r"^title:\s*(.+)$", text, re.MULTILINE)
        title = title_match.group(1).strip().strip("\"'") if title_match else path.stem
        for heading in re.findall(r"^#{2,4}\s+(.+?)\s*$", text, re.MULTILINE):
            found.append(PolicySection(path.name, title, heading))
    return found


def load_definitions(
    workflows_dir: Path, known_sections: Iterable[PolicySection]
) -> dict[str, WorkflowDefinition]:
    """Every *.yaml in `workflows_dir`, keyed by name; raises DefinitionError on the first fault."""
    sections = {(s.document, normalise_section(s.section)): s for s in known_sections}
    definitions: dict[str, WorkflowDefinition] = {}
    paths = sorted(workflows_dir.glob("*.yaml"))
    if not paths:
        raise DefinitionError(workflows_dir, say("definitions.no_definitions"))
    for path in paths:
        definition = load_definition(path, sections)
        if definition.name in definitions:
            raise DefinitionError(path, say("definitions.workflow_defined_twice",
                                            name=definition.name))
        definitions[definition.name] = definition
    return definitions


def load_definition(
    path: Path, sections: Mapping[tuple[str, str], PolicySection]
) -> WorkflowDefinition:
    """One definition file, validated against the citable policy sections."""
    try:
        raw = load_yaml_file(path)
    except YAMLError as error:
        raise DefinitionError(path, say("definitions.not_yaml", error=error)) from None
    try:
        return _Builder(path, raw, sections).build()
    except ConditionError as error:
        raise DefinitionError(path, str(error)) from None


class _Builder:
    """Reads one parsed YAML document, checking each part as it goes."""

    def __init__(
        self, path: Path, raw: Any, sections: Mapping[tuple[str, str], PolicySection]
    ) -> None:
        self.path = path
        self.raw = raw
        self.sections = sections
        self.limit_names: set[str] = set()
        self.all_fields: tuple[FieldSpec, ...] = ()

    def fail(self, problem: str) -> DefinitionError:
        return DefinitionError(self.path, problem)

    def build(self) -> WorkflowDefinition:
        raw = self.raw
        if not isinstance(raw, dict):
            raise self.fail(say("definitions.not_a_mapping"))
        unknown = set(raw) - _TOP_LEVEL
        if unknown:
            raise self.fail(say("definitions.unknown_keys", unknown=', '.join(sorted(unknown))))
        name = self.text(raw, "name", default=self.path.stem)
        if not _NAME.match(name):
            raise self.fail(say("definitions.name_not_snake_case", name=name))
        limits = self.limits(raw.get("limits") or {})
        self.limit_names = set(limits)
        fields = self.fields(raw.get("fields"), limits)
        self.all_fields = fields
        approvers = self.string_map(raw.get("approvers"), "approvers")
        definition = WorkflowDefinition(
            name=name,
            source=str(self.path),
            version=str(raw.get("version", "1")),
            kind=self.text(raw, "kind"),
            title=self.text(raw, "title"),
            noun=self.text(raw, "noun"),
            files=self.text(raw, "files"),
            persist_draft=self.boolean(raw, "persist_draft", default=True),
            commands=self.words(raw, "commands"),
            intents=self.words(raw, "intents"),
            limits=limits,
            # The intro comes before any answer, so it may only depend on the person.
            intro=self.conditional_texts(raw.get("intro"), "intro", limits, set(), ()),
            fields=fields,
            hints=self.hints(raw.get("hints") or [], fields, limits),
            approvers=approvers,
            route=self.route(raw.get("route"), approvers, limits),
            review_cycle_months=self.review_cycle(raw.get("review_cycle_months")),
            record=self.record(raw.get("record") or {}, fields),
            description=self.description(raw.get("description"), fields),
            summary_intro=self.template(self.text(raw.get("summary") or {}, "intro",
                                                  where="summary"), "summary.intro", set()),
            filed=self.template(self.text(raw, "filed"), "filed", FILING_PLACEHOLDERS),
            next_steps=self.conditional_texts(raw.get("next_steps") or [], "next_steps", limits,
                                              FILING_PLACEHOLDERS, fields),
            question_context=self.text(raw, "question_context", default=raw.get("title")),
            examples=self.examples(raw.get("examples"), "examples"),
        )
        return definition

    # -- small readers -------------------------------------------------------------------

    def text(self, raw: Any, key: str, default: str | None = None, where: str = "") -> str:
        value = raw.get(key, default) if isinstance(raw, dict) else default
        if not isinstance(value, str) or not value.strip():
            place = f"{where}." if where else ""
            raise self.fail(say("definitions.not_text", place=place, key=key))
        return value.strip()

    def boolean(self, raw: dict[str, Any], key: str, default: bool) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(say("definitions.not_a_boolean", key=key, value=value))
        return value

    def words(self, raw: dict[str, Any], key: str) -> tuple[str, ...]:
        value = raw.get(key)
        if not isinstance(value, list) or not value or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            raise self.fail(say("definitions.not_a_phrase_list", key=key))
        return tuple(item.strip().casefold() for item in value)

    def examples(self, raw: Any, where: str) -> tuple[str, ...]:
        """Example messages for a classifier: optional, but each one a non-empty string."""
        if raw is None:
            return ()
        if not isinstance(raw, list) or not all(isinstance(item, str) and item.strip()
                                                for item in raw):
            raise self.fail(say("understanding.examples_not_a_list", where=where))
        return tuple(dict.fromkeys(item.strip() for item in raw))

    def string_map(self, raw: Any, key: str) -> dict[str, str]:
        if not isinstance(raw, dict) or not raw or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
        ):
            raise self.fail(say("definitions.not_a_label_mapping", key=key))
        return {k: v.strip() for k, v in raw.items()}

    def template(self, text: str, where: str, extra: set[str] | frozenset[str]) -> str:
        allowed = self.limit_names | set(extra)
        for placeholder in _PLACEHOLDER.findall(text):
            if placeholder not in allowed:
                raise self.fail(say("definitions.placeholder_unknown", where=where,
                                    placeholder=placeholder,
                                    allowed=", ".join(sorted(allowed))
                                    or say("definitions.no_placeholders")))
        return text

    def condition(self, raw: Any, where: str, limits: Mapping[str, int]) -> Condition:
        try:
            return parse_condition(raw, limits)
        except ConditionError as error:
            raise self.fail(f"{where}: {error}") from None

    # -- parts ---------------------------------------------------------------------------

    def limits(self, raw: Any) -> dict[str, int]:
        if not isinstance(raw, dict):
            raise self.fail(say("definitions.limits_not_a_mapping"))
        limits = {}
        for name, amount in raw.items():
            pence = _pence(amount)
            if pence is None or pence < 0:
                raise self.fail(say("definitions.limit_not_an_amount", name=name, amount=amount))
            limits[str(name)] = pence
        return limits

    def fields(self, raw: Any, limits: Mapping[str, int]) -> tuple[FieldSpec, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail(say("definitions.fields_not_a_list"))
        specs: list[FieldSpec] = []
        for index, item in enumerate(raw, start=1):
            if not isinstance(item, dict):
                raise self.fail(say("definitions.field_not_a_mapping", index=index))
            name = item.get("name")
            if not isinstance(name, str) or not _NAME.match(name):
                raise self.fail(say("definitions.field_needs_name", index=index))
            where = f"field {name!r}"
            if any(spec.name == name for spec in specs):
                raise self.fail(say("definitions.defined_twice", where=where))
            unknown = set(item) - _FIELD_KEYS
            if unknown:
                raise self.fail(say("definitions.field_unknown_keys", where=where,
                                    unknown=', '.join(sorted(unknown))))
            field_type = item.get("type")
            if field_type not in FIELD_TYPES:
                raise self.fail(say("definitions.field_unknown_type", where=where,
                                    field_type=field_type, known=', '.join(sorted(FIELD_TYPES))))
            show_if = None
            if "show_if" in item:
                show_if = self.condition(item["show_if"], f"{where} show_if", limits)
                self.check_references(show_if, f"{where} show_if", specs)
            spec = FieldSpec(
                name=name,
                label=self.text(item, "label", where=where),
                type=field_type,
                prompt=self.template(self.text(item, "prompt", where=where),
                                     f"{where} prompt", set()),
                help=self.template(self.text(item, "help", where=where), f"{where} help",
                                   set()),
                required=not self.boolean(item, "optional", default=False),
                options=self.options(item.get("options"), field_type, where),
                show_if=show_if,
                allow_future=self.optional_flag(item, "allow_future", field_type, where),
                allow_past=self.optional_flag(item, "allow_past", field_type, where),
                minimum=self.bound(item, "min", field_type, where),
                maximum=self.bound(item, "max", field_type, where),
                suggest=self.suggestion(item, field_type, where),
                from_opening=self.from_opening(item, field_type, where),
                precision=self.keyword(item, "precision", "date", DATE_PRECISIONS, field_type,
                                       where) or "day",
                period=(self.keyword(item, "period", "number", NUMBER_PERIODS, field_type, where)
                        if field_type == "number" else
                        self.keyword(item, "period", "money", MONEY_PERIODS, field_type, where)),
                in_passing=self.passing(item, where),
                if_unsure=self.if_unsure(item, field_type, where),
            )
            specs.append(spec)
        return tuple(specs)

    def options(self, raw: Any, field_type: str, where: str) -> tuple[Option, ...]:
        if field_type != "choice":
            if raw is not None:
                raise self.fail(say("definitions.options_only_for_choice", where=where))
            return ()
        if not isinstance(raw, list) or len(raw) < 2:
            raise self.fail(say("definitions.choice_needs_two_options", where=where))
        options: list[Option] = []
        for item in raw:
            if not isinstance(item, dict) or not _NAME.match(str(item.get("value", ""))):
                raise self.fail(say("definitions.option_needs_value_and_label", where=where))
            label = self.text(item, "label", where=f"{where} option {item['value']}")
            synonyms = item.get("synonyms") or []
            if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
                raise self.fail(say("definitions.synonyms_not_a_list", where=where,
                                    option=item['value']))
            if any(option.value == item["value"] for option in options):
                raise self.fail(say("definitions.option_twice", where=where, option=item['value']))
            examples = self.examples(item.get("examples"),
                                     f"{where} option {item['value']}: examples")
            options.append(Option(item["value"], label, tuple(synonyms), examples))
        return tuple(options)

    def optional_flag(self, item: dict[str, Any], key: str, field_type: str,
                      where: str) -> bool | None:
        if key not in item:
            return None
        if field_type != "date":
            raise self.fail(say("definitions.date_only", where=where, key=key))
        return self.boolean(item, key, default=True)

    def if_unsure(self, item: dict[str, Any], field_type: str, where: str) -> bool | None:
        if "if_unsure" not in item:
            return None
        if field_type != "yes_no":
            raise self.fail(say("definitions.applies_only_to", where=where, key="if_unsure",
                                applies_to="yes_no"))
        return self.boolean(item, "if_unsure", default=True)

    def bound(self, item: dict[str, Any], key: str, field_type: str,
              where: str) -> int | float | None:
        if key not in item:
            return None
        value = item[key]
        if field_type == "money":
            pence = _pence(value)
            if pence is None:
                raise self.fail(say("definitions.not_a_money_amount", where=where, key=key))
            return pence
        if field_type == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.fail(say("definitions.not_a_number", where=where, key=key))
            return value
        raise self.fail(say("definitions.money_and_number_only", where=where, key=key))

    def suggestion(self, item: dict[str, Any], field_type: str, where: str) -> str | None:
        value = item.get("suggest")
        if value is None:
            return None
        if field_type != "person" or value not in SUGGESTIONS:
            raise self.fail(say("definitions.suggest_person_only", where=where,
                                allowed=', '.join(sorted(SUGGESTIONS))))
        return str(value)

    def from_opening(self, item: dict[str, Any], field_type: str,
                     where: str) -> tuple[str, ...] | None:
        value = item.get("from_opening")
        if value is None or value is False:
            return None
        if field_type not in OPENING_TYPES:
            raise self.fail(say("definitions.from_opening_types", where=where,
                                types=', '.join(sorted(OPENING_TYPES))))
        if field_type == "choice" and any(
                synonym.casefold() in {"yes", "no"} for option in item.get("options") or []
                if isinstance(option, dict) for synonym in option.get("synonyms") or []):
            # "yes" takes a suggestion, so it cannot also be one of the options.
            raise self.fail(say("definitions.from_opening_yes_no_synonyms", where=where))
        if value is True:
            return ()
        after = value.get("after") if isinstance(value, dict) else None
        if not isinstance(value, dict) or set(value) != {"after"} or \
                not isinstance(after, list) or not all(
                isinstance(phrase, str) and phrase.strip() for phrase in after):
            raise self.fail(say("definitions.from_opening_shape", where=where))
        return tuple(phrase.strip() for phrase in after)

    def passing(self, item: dict[str, Any], where: str) -> str:
        value = item.get("in_passing", "note")
        if value not in IN_PASSING:
            raise self.fail(say("definitions.allowed_values", where=where, key="in_passing",
                                allowed=', '.join(sorted(IN_PASSING)), value=value))
        if value == "suggest" and any(
                synonym.casefold() == "yes" for option in item.get("options") or []
                if isinstance(option, dict) for synonym in option.get("synonyms") or []):
            # "yes" takes a suggestion, so it cannot also be one of the options.
            raise self.fail(say("definitions.in_passing_yes_synonym", where=where))
        return str(value)

    def keyword(self, item: dict[str, Any], key: str, applies_to: str,
                allowed: frozenset[str], field_type: str, where: str) -> str | None:
        value = item.get(key)
        if value is None:
            return None
        if field_type != applies_to:
            raise self.fail(say("definitions.applies_only_to", where=where, key=key,
                                applies_to=applies_to))
        if value not in allowed:
            raise self.fail(say("definitions.allowed_values", where=where, key=key,
                                allowed=', '.join(sorted(allowed)), value=value))
        return str(value)

    def check_references(
        self, condition: Condition, where: str, earlier: list[FieldSpec] | tuple[FieldSpec, ...],
    ) -> None:
        """Each field a condition reads must be one of `earlier`, the answers it can see."""
        known = {spec.name: spec for spec in earlier}
        for leaf in operands_of(condition):
            if leaf.source != "answer":
                continue
            if leaf.subject not in known:
                later = leaf.subject in _names_in(self.raw)
                raise self.fail(say("definitions.condition_field_later" if later
                                    else "definitions.condition_field_unknown",
                                    where=where, field=leaf.subject))
            self.check_operator(leaf, known[leaf.subject], where)

    def check_operator(self, leaf: Comparison, spec: FieldSpec, where: str) -> None:
        if spec.type not in OPERATORS[leaf.operator]:
            raise self.fail(say("definitions.operator_not_for_type", where=where,
                                operator=leaf.operator, type=spec.type, field=spec.name))
        if spec.type == "money" and leaf.limit is None and leaf.operator != "answered":
            raise self.fail(say("definitions.money_compare_with_limit", where=where))
        if spec.type == "choice" and leaf.operator in {"is", "is_not", "in", "not_in"}:
            values = {option.value for option in spec.options}
            operands = leaf.operand if isinstance(leaf.operand, tuple) else (leaf.operand,)
            for operand in operands:
                if operand not in values:
                    raise self.fail(say("definitions.operand_not_an_option", where=where,
                                        operand=operand, field=spec.name,
                                        options=', '.join(sorted(values))))
        if spec.type == "yes_no" and leaf.operator in {"is", "is_not"} and not isinstance(
            leaf.operand, bool
        ):
            raise self.fail(say("definitions.yes_no_compare_with_boolean", where=where,
                                field=spec.name))

    def hints(self, raw: Any, fields: tuple[FieldSpec, ...],
              limits: Mapping[str, int]) -> tuple[Hint, ...]:
        if not isinstance(raw, list):
            raise self.fail(say("definitions.hints_not_a_list"))
        hints: list[Hint] = []
        names = [spec.name for spec in fields]
        for index, item in enumerate(raw, start=1):
            if not isinstance(item, dict):
                raise self.fail(say("definitions.hint_not_a_mapping", index=index))
            hint_id = str(item.get("id") or f"hint_{index}")
            where = f"hint {hint_id!r}"
            if any(hint.id == hint_id for hint in hints):
                raise self.fail(say("definitions.defined_twice", where=where))
            after = item.get("after")
            if after not in names:
                raise self.fail(say("definitions.hint_after_not_a_field", where=where, after=after))
            when = self.condition(item.get("when"), f"{where} when", limits)
            self.check_references(when, f"{where} when", fields[: names.index(after) + 1])
            hints.append(Hint(
                id=hint_id,
                after=after,
                when=when,
                text=self.template(self.text(item, "text", where=where), where, set()),
                citation=self.citation(item.get("cite"), where),
            ))
        return tuple(hints)

    def citation(self, raw: Any, where: str) -> PolicySection:
        if not isinstance(raw, dict) or not isinstance(raw.get("document"), str) or \
                not isinstance(raw.get("section"), str):
            raise self.fail(say("definitions.cite_needs_document_and_section", where=where))
        key = (raw["document"], normalise_section(raw["section"]))
        if key not in self.sections:
            documents = {document for document, _ in self.sections}
            if raw["document"] not in documents:
                raise self.fail(say("definitions.cite_unknown_document", where=where,
                                    document=raw['document']))
            raise self.fail(say("definitions.cite_unknown_section", where=where,
                                section=raw['section'], document=raw['document']))
        return self.sections[key]

    def route(self, raw: Any, approvers: Mapping[str, str],
              limits: Mapping[str, int]) -> tuple[RouteRule, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail(say("definitions.route_not_a_list"))
        rules = []
        for index, item in enumerate(raw, start=1):
            where = f"route rule {index}"
            if not isinstance(item, dict) or not isinstance(item.get("approvers"), list) \
                    or not item["approvers"]:
                raise self.fail(say("definitions.rule_needs_approvers", where=where))
            for approver in item["approvers"]:
                if approver not in approvers:
                    raise self.fail(say("definitions.rule_unknown_approver", where=where,
                                        approver=approver))
            when = None
            if "when" in item:
                when = self.condition(item["when"], f"{where} when", limits)
                self.check_references(when, f"{where} when", self.all_fields)
            rules.append(RouteRule(tuple(item["approvers"]), when))
        if rules[-1].when is not None:
            raise self.fail(say("definitions.route_last_rule_conditional"))
        return tuple(rules)

    def review_cycle(self, raw: Any) -> int | None:
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int) or raw <= 0:
            raise self.fail(say("definitions.review_cycle_not_whole_months"))
        return raw

    def record(self, raw: Any, fields: tuple[FieldSpec, ...]) -> dict[str, str]:
        if not isinstance(raw, dict):
            raise self.fail(say("definitions.record_not_a_mapping"))
        by_name = {spec.name: spec for spec in fields}
        for column, field_name in raw.items():
            if column not in RECORD_COLUMNS:
                raise self.fail(say("definitions.record_unknown_column", column=column,
                                    known=', '.join(sorted(RECORD_COLUMNS))))
            if field_name not in by_name:
                raise self.fail(say("definitions.record_unknown_field", column=column,
                                    field_name=field_name))
            if by_name[field_name].type not in RECORD_COLUMNS[column]:
                raise self.fail(say("definitions.record_wrong_field_type", column=column,
                                    type=by_name[field_name].type, field_name=field_name))
        return dict(raw)

    def description(self, raw: Any, fields: tuple[FieldSpec, ...]) -> tuple[str, ...]:
        names = {spec.name for spec in fields}
        if not isinstance(raw, list) or not raw or not all(item in names for item in raw):
            raise self.fail(say("definitions.description_not_field_list"))
        return tuple(raw)

    def conditional_texts(
        self, raw: Any, where: str, limits: Mapping[str, int], extra: frozenset[str] | set[str],
        readable: tuple[FieldSpec, ...],
    ) -> tuple[ConditionalText, ...]:
        """Paragraphs with optional conditions on `readable` fields and the person."""
        if raw is None:
            return ()
        if not isinstance(raw, list):
            raise self.fail(say("definitions.not_paragraphs", where=where))
        texts = []
        for index, item in enumerate(raw, start=1):
            label = f"{where} {index}"
            if isinstance(item, str):
                texts.append(ConditionalText(self.template(item.strip(), label, extra)))
                continue
            if not isinstance(item, dict):
                raise self.fail(say("definitions.paragraph_shape", label=label))
            when = None
            if "when" in item:
                when = self.condition(item["when"], f"{label} when", limits)
                self.check_references(when, f"{label} when", readable)
            texts.append(ConditionalText(self.template(self.text(item, "text", where=label),
                                                       label, extra), when))
        return tuple(texts)



def _names_in(raw: Any) -> set[str]:
    fields = raw.get("fields") if isinstance(raw, dict) else None
    if not isinstance(fields, list):
        return set()
    return {str(item["name"]) for item in fields if isinstance(item, dict) and item.get("name")}


def _pence(amount: Any) -> int | None:
    """An amount written in a definition ("£25", "25", 25, "10,000.50") in pence; strict."""
    if isinstance(amount, bool):
        return None
    text = str(amount).strip().replace(",", "").removeprefix("£").strip()
    try:
        pounds = Decimal(text)
    except InvalidOperation:
        return None
    pence = pounds * 100
    if pence != pence.to_integral_value():
        return None
    return int(pence)
