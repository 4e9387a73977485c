"""Conditions a workflow definition puts on earlier answers: when to ask, warn or route.

A condition is written in YAML as a small mapping, for example
``{field: relationship, is: supplier_or_bidder}`` or
``{any: [{field: value, at_least: $value_limit}, {field: tender_running, is: true}]}``,
and evaluated against the answers so far (plain JSON values) and the declarant's profile.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.messages import say

#: Operators a comparison may use, and the field types each makes sense for.
OPERATORS: dict[str, frozenset[str]] = {
    "is": frozenset({"choice", "yes_no", "text", "organisation", "person"}),
    "is_not": frozenset({"choice", "yes_no", "text", "organisation", "person"}),
    "in": frozenset({"choice"}),
    "not_in": frozenset({"choice"}),
    "at_least": frozenset({"money", "number"}),
    "above": frozenset({"money", "number"}),
    "below": frozenset({"money", "number"}),
    "at_most": frozenset({"money", "number"}),
    "mentions": frozenset({"text", "long_text", "organisation"}),
    "answered": frozenset({"text", "long_text", "money", "date", "yes_no", "choice", "number",
                           "organisation", "person"}),
}

#: What a condition may ask about the person declaring (from the staff directory).
PERSON_ATTRIBUTES = frozenset({"staff_type", "rank_or_grade", "role", "team"})


class ConditionError(ValueError):
    """A condition in a definition is malformed; the message says how."""


@dataclass(frozen=True)
class Comparison:
    """One test of one answer (``source == "answer"``) or one profile attribute."""

    source: str
    subject: str
    operator: str
    operand: Any
    #: The limit an amount came from (``$value_limit``), so money is never compared with a
    #: bare number whose unit (pounds or pence) a reader would have to guess.
    limit: str | None = None

    def holds(self, answers: Mapping[str, Any], person: Mapping[str, Any]) -> bool:
        values = answers if self.source == "answer" else person
        present = self.subject in values and values[self.subject] is not None
        if self.operator == "answered":
            return present == bool(self.operand)
        if not present:
            return False
        value = values[self.subject]
        if isinstance(value, dict):  # a person answer: compare by directory key
            value = value.get("key")
        match self.operator:
            case "is":
                return _same(value, self.operand)
            case "is_not":
                return not _same(value, self.operand)
            case "in":
                return any(_same(value, option) for option in self.operand)
            case "not_in":
                return not any(_same(value, option) for option in self.operand)
            case "at_least":
                return bool(value >= self.operand)
            case "above":
                return bool(value > self.operand)
            case "below":
                return bool(value < self.operand)
            case "at_most":
                return bool(value <= self.operand)
            case "mentions":
                return any(_mentions(str(value), phrase) for phrase in self.operand)
        raise ConditionError(say("conditions.unknown_operator", operator=self.operator))

    def answer_fields(self) -> set[str]:
        return {self.subject} if self.source == "answer" else set()


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]

    def holds(self, answers: Mapping[str, Any], person: Mapping[str, Any]) -> bool:
        return any(part.holds(answers, person) for part in self.parts)

    def answer_fields(self) -> set[str]:
        return set().union(*(part.answer_fields() for part in self.parts))


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]

    def holds(self, answers: Mapping[str, Any], person: Mapping[str, Any]) -> bool:
        return all(part.holds(answers, person) for part in self.parts)

    def answer_fields(self) -> set[str]:
        return set().union(*(part.answer_fields() for part in self.parts))


@dataclass(frozen=True)
class Not:
    part: Condition

    def holds(self, answers: Mapping[str, Any], person: Mapping[str, Any]) -> bool:
        return not self.part.holds(answers, person)

    def answer_fields(self) -> set[str]:
        return self.part.answer_fields()


Condition = Comparison | AnyOf | AllOf | Not


def _same(value: Any, operand: Any) -> bool:
    if isinstance(value, str) and isinstance(operand, str):
        return value.casefold() == operand.casefold()
    return bool(value == operand)


def _mentions(text: str, phrase: str) -> bool:
    # Whole words only, so "cash" does not fire on "cashew nuts".
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


def parse_condition(raw: Any, limits: Mapping[str, int]) -> Condition:
    """Turn the YAML form into a Condition; ``$name`` operands refer to the definition's limits.

    Checks only the condition's own shape; whether its fields exist and come early enough
    is the definition loader's job, because only it knows the field order.
    """
    if not isinstance(raw, dict) or not raw:
        raise ConditionError(say("conditions.not_a_mapping", raw=raw))
    for combinator, make in (("any", AnyOf), ("all", AllOf)):
        if combinator in raw:
            if len(raw) != 1 or not isinstance(raw[combinator], list) or not raw[combinator]:
                raise ConditionError(say("conditions.combinator_shape", combinator=combinator))
            return make(tuple(parse_condition(part, limits) for part in raw[combinator]))
    if "not" in raw:
        if len(raw) != 1:
            raise ConditionError(say("conditions.not_shape"))
        return Not(parse_condition(raw["not"], limits))
    sources = [key for key in ("field", "person") if key in raw]
    if len(sources) != 1:
        raise ConditionError(say("conditions.one_subject", raw=raw))
    source_key = sources[0]
    subject = raw[source_key]
    if not isinstance(subject, str):
        raise ConditionError(say("conditions.subject_not_a_name", source_key=source_key,
                                 subject=subject))
    if source_key == "person" and subject not in PERSON_ATTRIBUTES:
        raise ConditionError(say("conditions.unknown_person_attribute", subject=subject,
                                 attributes=', '.join(sorted(PERSON_ATTRIBUTES))))
    operators = [key for key in raw if key != source_key]
    if len(operators) != 1 or operators[0] not in OPERATORS:
        raise ConditionError(say("conditions.one_operator", operators=", ".join(OPERATORS),
                                 got=operators or say("conditions.none")))
    operator = operators[0]
    operand = _operand(operator, raw[operator], limits)
    limit = raw[operator][1:] if isinstance(raw[operator], str) and operator in _AMOUNT else None
    source = "answer" if source_key == "field" else "person"
    return Comparison(source, subject, operator, operand, limit)


_AMOUNT = frozenset({"at_least", "above", "below", "at_most"})


def _operand(operator: str, raw: Any, limits: Mapping[str, int]) -> Any:
    if operator in {"in", "not_in", "mentions"}:
        items = raw if isinstance(raw, list) else [raw]
        if not items or not all(isinstance(item, str | bool | int) for item in items):
            raise ConditionError(say("conditions.list_of_values", operator=operator, raw=raw))
        return tuple(items)
    if operator in _AMOUNT:
        if isinstance(raw, str) and raw.startswith("$"):
            name = raw[1:]
            if name not in limits:
                raise ConditionError(say("conditions.unknown_limit", raw=raw,
                                         limits=", ".join(limits) or say("conditions.none")))
            return limits[name]
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ConditionError(say("conditions.number_or_limit", operator=operator, raw=raw))
        return raw
    if operator == "answered":
        if not isinstance(raw, bool):
            raise ConditionError(say("conditions.answered_boolean", raw=raw))
        return raw
    if isinstance(raw, dt.date | list | dict) or raw is None:
        raise ConditionError(say("conditions.single_value", operator=operator, raw=raw))
    return raw


def operands_of(condition: Condition) -> list[Comparison]:
    """Every comparison inside a condition, for the loader's checks."""
    if isinstance(condition, Comparison):
        return [condition]
    if isinstance(condition, Not):
        return operands_of(condition.part)
    return [leaf for part in condition.parts for leaf in operands_of(part)]
