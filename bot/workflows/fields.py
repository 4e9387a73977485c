"""Forgiving parsers for the answers to guided-workflow questions, with friendly re-prompts.

Every parser takes what the person typed and returns a Parsed: either a typed value with a
display form to echo back, or a `problem` that says what was wrong and what to type. Nothing
here raises on user input; the only exceptions are for programming or definition errors (an
unknown field type, a choice without options, a date field without `today`).

The rules worth knowing when writing questions:
- money: the value is whole pence; "about", "-ish", "£25 each" are fine; a range such as
  "£20-30" takes the top figure (the cautious one for a register); "nothing" is £0.00; "not
  sure" asks for a best estimate; negative, foreign-currency and over-limit amounts re-prompt;
  with period="year", "£150 a week" becomes £7,800 and an hourly rate is asked about.
- number: int when whole, otherwise float; ranges take the top figure as for money.
- date: UK day first; "last Friday" and a bare "Friday" are the most recent one before today
  (or the next one after today on a future-only field); a missing year or month picks the
  nearest date the field allows; "last week", "last month" and "a few days ago" ask for the
  day rather than guess it. With precision="month", "March 2019", "2019", "last year" and
  "5 years ago" are accepted as the first day of that month or year; Parsed.precision says
  which ("month" or "year"), and the display is "March 2019" or "2019".
- choice: exact value, label or synonym, the option's number, a unique prefix, the option
  named inside a longer answer, then a clear near miss (rapidfuzz); otherwise it lists them.
- person: only tidied here; the engine resolves the name against the staff directory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.messages import say
from bot.workflows.parsing.answers import parse_choice, parse_yes_no
from bot.workflows.parsing.common import Option, Parsed
from bot.workflows.parsing.dates import format_approximate, format_date, parse_date
from bot.workflows.parsing.money import format_money, parse_money
from bot.workflows.parsing.numbers import parse_number
from bot.workflows.parsing.text import (
    parse_long_text,
    parse_organisation,
    parse_text,
    tidy_person_name,
)

__all__ = [
    "FIELD_OPTIONS",
    "FIELD_TYPES",
    "Option",
    "Parsed",
    "as_option",
    "format_approximate",
    "format_date",
    "format_money",
    "parse_choice",
    "parse_date",
    "parse_field",
    "parse_long_text",
    "parse_money",
    "parse_number",
    "parse_organisation",
    "parse_text",
    "parse_yes_no",
]

FIELD_TYPES: frozenset[str] = frozenset({
    "text", "long_text", "money", "date", "yes_no", "choice", "number", "organisation",
    "person",
})

#: The keyword options each field type understands, for validating workflow definitions.
FIELD_OPTIONS: Mapping[str, frozenset[str]] = {
    "text": frozenset({"min_length", "max_length"}),
    "long_text": frozenset({"min_length", "max_length"}),
    "money": frozenset({"max_pence", "period"}),
    "date": frozenset({"today", "allow_future", "allow_past", "max_years_back",
                       "max_years_ahead", "precision"}),
    "yes_no": frozenset(),
    "choice": frozenset({"options"}),
    "number": frozenset({"minimum", "maximum", "unit"}),
    "organisation": frozenset(),
    "person": frozenset(),
}

_PARSERS: Mapping[str, Callable[..., Parsed]] = {
    "text": parse_text,
    "long_text": parse_long_text,
    "money": parse_money,
    "date": parse_date,
    "yes_no": parse_yes_no,
    "choice": parse_choice,
    "number": parse_number,
    "organisation": parse_organisation,
    "person": tidy_person_name,
}


def as_option(raw: Option | Mapping[str, Any] | str) -> Option:
    """An Option from an Option, a mapping such as YAML gives ({value, label, synonyms}) or a
    bare string used as both value and label."""
    if isinstance(raw, Option):
        return raw
    if isinstance(raw, str):
        return Option(value=raw, label=raw)
    value = str(raw["value"])
    synonyms = raw.get("synonyms") or ()
    if isinstance(synonyms, str):
        synonyms = (synonyms,)
    return Option(value=value, label=str(raw.get("label") or value),
                  synonyms=tuple(str(s) for s in synonyms))


def parse_field(field_type: str, text: str, **options: Any) -> Parsed:
    """Parse `text` as a field of `field_type`, passing on the options that type understands.

    Options a type doesn't use are ignored, so the engine can pass the same set (such as
    `today`) to every field; validate definitions against FIELD_OPTIONS to catch typos.
    """
    parser = _PARSERS.get(field_type)
    if parser is None:
        raise ValueError(say("definitions.unknown_field_type", field_type=field_type,
                             known=", ".join(sorted(FIELD_TYPES))))
    wanted = {k: v for k, v in options.items() if k in FIELD_OPTIONS[field_type]}
    if field_type == "choice":
        choices: Sequence[Any] = wanted.get("options") or ()
        wanted["options"] = [as_option(o) for o in choices]
    return parser(text, **wanted)
