"""Organisation names reduced to a comparable form, and fuzzy matching between them.

Donors type organisation names however they like ("ACME Security Limited", "Acme Security
Ltd."), so a plain equality test misses the very suppliers inspectors worry about.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

# Words that say what legal form a body takes, not who it is. Only removed as whole words.
LEGAL_FORMS = frozenset({
    "ltd", "limited", "plc", "llp", "llc", "lp", "inc", "incorporated", "corp",
    "corporation", "co", "company", "cic", "gmbh", "sa", "bv",
})
_LEADING_ARTICLE = "the"

#: Two normalised names scoring at least this (0-100) are treated as the same organisation.
DEFAULT_MATCH_THRESHOLD = 90.0

T = TypeVar("T")


def normalise_organisation(name: str | None) -> str:
    """A lower-case, punctuation-free form with legal suffixes dropped and "&" read as "and"."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ").replace("+", " and ")
    # Apostrophes join a word ("O'Brien's") rather than split it.
    text = re.sub(r"['’`]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    words = text.split()
    # "and" carries no identity: "Smith & Jones" and "Smith Jones" are the same firm.
    words = [word for word in words if word != "and"]
    while words and words[-1] in LEGAL_FORMS:
        words.pop()
    if len(words) > 1 and words[0] == _LEADING_ARTICLE:
        words = words[1:]
    return " ".join(words)


def similarity(left: str, right: str) -> float:
    """0-100 similarity of two already-normalised names.

    ratio forgives typing slips and joined words ("bluelight"); token_sort_ratio forgives
    word order. token_set_ratio is deliberately not used: it scores "acme" against
    "acme catering" as 100, which would tie every firm to any shorter namesake.
    """
    if not left or not right:
        return 0.0
    return max(fuzz.ratio(left, right), fuzz.token_sort_ratio(left, right))


@dataclass(frozen=True)
class NameMatch(Generic[T]):
    """One candidate that matched a name, with its score."""

    candidate: T
    score: float


def best_matches(
    name: str,
    candidates: Iterable[T],
    key: Callable[[T], str],
    threshold: float = DEFAULT_MATCH_THRESHOLD,
) -> list[NameMatch[T]]:
    """Every candidate whose normalised key scores at least `threshold`, best first."""
    wanted = normalise_organisation(name)
    if not wanted:
        return []
    pool: Sequence[T] = list(candidates)
    choices = [key(candidate) for candidate in pool]
    found = process.extract(
        wanted, choices, scorer=lambda a, b, **_: similarity(a, b),
        score_cutoff=threshold, limit=None,
    )
    return [NameMatch(pool[index], score) for _, score, index in found]
