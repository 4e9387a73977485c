"""Finding the numbers in a short answer: digits, words, multipliers, ranges and signs.

Money and plain numbers share this; each decides what the suffixes and currency marks mean.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bot.workflows.parsing.common import rough_to_digits

# A number as people type it: "1,250", "40.50", ".5", "1.2". Thousands separators only count
# in groups of three, so "40,50" reads as two numbers and gets queried rather than guessed.
# The optional suffix is a multiplier or a unit word, only when it ends at a word boundary.
_NUMBER = re.compile(
    r"(?P<currency>£\s*)?"
    r"(?<![\w.])(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s*(?P<suffix>pounds?|pence|penny|pennies|quid|grand|thousand|million|mil|billion"
    r"|bn|gbp|k|m|p)\b)?"
)
# "£40ish", "40-ish", "around forty-ish": the hedge says nothing about the amount.
_ISH = re.compile(r"(\d)\s*-?\s*ish\b")
# What may stand between the two ends of a range: "20-30", "20 to 30", "20 or 30".
_RANGE_JOINERS = {"-", "–", "—", "to", "or", "and", "/"}
_NEGATIVE_BEFORE = re.compile(r"(?:^|[\s(])(?:-|−|minus|negative)\s*£?\s*$")

MULTIPLIERS = {
    "k": 1_000, "grand": 1_000, "thousand": 1_000,
    "m": 1_000_000, "mil": 1_000_000, "million": 1_000_000,
    "bn": 1_000_000_000, "billion": 1_000_000_000,
}


@dataclass(frozen=True)
class Found:
    """One number found in the text, with what stood around it."""

    amount: Decimal
    currency: bool  # preceded by "£"
    suffix: str  # "", or the unit/multiplier word that followed it
    start: int
    end: int


@dataclass(frozen=True)
class Reading:
    """Every number in an answer, after words were turned into digits."""

    text: str
    numbers: tuple[Found, ...]

    def is_range(self) -> bool:
        """True for "20-30", "20 to 30", "between 20 and 30" (two numbers and a joiner)."""
        if len(self.numbers) != 2:
            return False
        first, second = self.numbers
        return self.text[first.end:second.start].strip() in _RANGE_JOINERS

    def negative(self) -> bool:
        """True when the first number carries a minus sign (not the dash of a range)."""
        return bool(self.numbers) and bool(
            _NEGATIVE_BEFORE.search(self.text[: self.numbers[0].start])
        )


# "£60-70, call it 65", "about 40, say 45": the figure a person settles on is the answer.
_SETTLED = re.compile(r"\b(?:call it|let'?s say|say|make it|more like|i'd say|probably)\s+"
                      r"(?=(?:about\s+|around\s+)?£?\s*\d)")


def read_numbers(normalised: str) -> Reading:
    """Find the numbers in an already normalised (lower-case, short) answer."""
    text = _ISH.sub(r"\1", rough_to_digits(normalised))
    settled = list(_SETTLED.finditer(text))
    if settled and settled[-1].start() > 0 and re.search(r"\d", text[:settled[-1].start()]):
        text = text[settled[-1].end():]
    found = []
    for match in _NUMBER.finditer(text):
        try:
            amount = Decimal(match.group("number").replace(",", ""))
        except InvalidOperation:  # the pattern should prevent this; refuse rather than crash
            continue
        found.append(
            Found(
                amount=amount,
                currency=match.group("currency") is not None,
                suffix=match.group("suffix") or "",
                start=match.start(),
                end=match.end(),
            )
        )
    return Reading(text=text, numbers=tuple(found))


def contains_any(normalised: str, phrases: AbstractSet[str]) -> bool:
    """True when any phrase occurs in the text as whole words."""
    padded = f" {words_only(normalised)} "
    return any(f" {phrase} " in padded for phrase in phrases)


def words_only(normalised: str) -> str:
    """The text with punctuation turned into spaces, for matching whole phrases."""
    return " ".join(re.sub(r"[^\w£$€']+", " ", normalised).split())
