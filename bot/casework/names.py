"""Organisation names reduced to a comparable form, and fuzzy matching between them.

Donors type organisation names however they like ("ACME Security Limited", "Acme Security
Services", "G4S"), so a plain equality test misses the very suppliers inspectors worry about,
while a loose fuzzy score ties "Acme Catering" to "Acme Security". Names are compared on
their distinctive words: legal forms and generic descriptors ("services", "group", "uk")
are set aside, so they can neither make nor break a match.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, combinations
from typing import Generic, Literal, TypeVar

import numpy as np
from rapidfuzz import fuzz, process

# Words that say what legal form a body takes, not who it is. Only removed as whole words.
LEGAL_FORMS = frozenset({
    "ltd", "limited", "plc", "llp", "llc", "lp", "inc", "incorporated", "corp",
    "corporation", "co", "company", "cic", "gmbh", "sa", "bv",
})
# Words a firm adds to its name that say nothing about who it is or what it does. Industry
# words ("security", "catering", "training") are deliberately absent: they are what tells
# Acme Security from Acme Catering.
GENERIC_DESCRIPTORS = frozenset({
    "services", "service", "group", "holdings", "holding", "solutions", "uk", "gb",
    "britain", "international", "intl", "global", "worldwide", "europe", "enterprises",
    "trading",
})
_LEADING_ARTICLE = "the"

#: Two normalised names scoring at least this (0-100) are treated as the same organisation.
DEFAULT_MATCH_THRESHOLD = 90.0
#: Each distinctive word of one name needs a counterpart this close in the other, so two
#: names that share a shape but differ in the word that matters ("Northmoor" and
#: "Southmoor Security", 89 overall) are not taken for one firm.
WORD_AGREEMENT = 80.0

T = TypeVar("T")
MatchKind = Literal["same", "similar", "part"]


@lru_cache(maxsize=65536)  # the checks normalise the same donor names many times over
def normalise_organisation(name: str | None) -> str:
    """A lower-case, punctuation-free form with legal suffixes dropped and "&" read as "and".

    This is the form stored with suppliers and used to recognise a re-imported one; the
    generic descriptors stay in it and are set aside only when names are compared.
    """
    if not name:
        return ""
    text = name
    if not text.isascii():  # most names are; decomposing them changes nothing
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower()
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


@dataclass(frozen=True)
class NameParts:
    """A normalised name split into what comparison needs."""

    words: frozenset[str]  # every word, descriptors included (for "is part of")
    core: str  # the distinctive words in order ("acme security")
    core_words: tuple[str, ...]
    compact: str  # the core without spaces, so "bluelight" meets "blue light"
    #: False for a name made only of descriptors ("Global Solutions International"): its
    #: core is then all its words, which match the same name but are never part of another.
    distinctive: bool


@lru_cache(maxsize=65536)
def name_parts(normalised: str) -> NameParts:
    """The parts of an already-normalised name (cached: suppliers are compared many times)."""
    words = tuple(w for w in normalised.split() if w not in LEGAL_FORMS)
    core_words = tuple(w for w in words if w not in GENERIC_DESCRIPTORS)
    distinctive = bool(core_words)
    if not distinctive:
        core_words = words
    core = " ".join(core_words)
    return NameParts(frozenset(words), core, core_words, core.replace(" ", ""), distinctive)


def _words_agree(left: NameParts, right: NameParts) -> bool:
    """Every distinctive word on each side is spelt (nearly) the same on the other."""
    for own, other in ((left, right), (right, left)):
        for word in own.core_words:
            if word in other.compact:
                continue
            if max(fuzz.ratio(word, theirs) for theirs in other.core_words) < WORD_AGREEMENT:
                return False
    return True


def _is_part_of(shorter: NameParts, longer: NameParts) -> bool:
    """`shorter` names a firm by some of `longer`'s words ("G4S" in "G4S Secure Solutions").

    Every word of the shorter name must appear in the longer one, descriptors included, so
    "Crown Commercial Service" is not part of "Crown Hotel"; and it must keep a distinctive
    word, so "Services" alone is part of nothing.
    """
    return shorter.distinctive and len(shorter.words) < len(longer.words) \
        and shorter.words <= longer.words


def _shape_score(left: NameParts, right: NameParts) -> float:
    # ratio forgives typing slips, token_sort_ratio word order, the compact form joined words.
    return max(fuzz.ratio(left.core, right.core), fuzz.token_sort_ratio(left.core, right.core),
               fuzz.ratio(left.compact, right.compact))


def compare(left: str, right: str, threshold: float = DEFAULT_MATCH_THRESHOLD
            ) -> tuple[float, MatchKind] | None:
    """How two normalised names match, or None when they are different organisations.

    token_set_ratio is deliberately not the score: it rates any name inside another as 100
    ("Acme" in "Acme Catering"). Containment is accepted only by `_is_part_of`'s stricter
    rule, and reported as such so an officer can judge it.
    """
    if not left or not right:
        return None
    a, b = name_parts(left), name_parts(right)
    if not a.core or not b.core:
        return None  # nothing but legal forms: "Limited" says who nobody is
    if a.compact == b.compact:
        return 100.0, "same"
    if _is_part_of(a, b) or _is_part_of(b, a):
        return 100.0, "part"
    score = _shape_score(a, b)
    if score >= threshold and _words_agree(a, b):
        return score, "similar"
    return None


def similarity(left: str, right: str) -> float:
    """0-100 similarity of two already-normalised names; 0 when they cannot be one firm."""
    found = compare(left, right, threshold=0.0)
    return 0.0 if found is None else found[0]


@dataclass(frozen=True)
class NameMatch(Generic[T]):
    """One candidate that matched a name, with its score and how it matched."""

    candidate: T
    score: float
    kind: MatchKind = "similar"


def best_matches(
    name: str,
    candidates: Iterable[T],
    key: Callable[[T], str],
    threshold: float = DEFAULT_MATCH_THRESHOLD,
) -> list[NameMatch[T]]:
    """Every candidate matching `name`, best first, comparing one pair at a time.

    Plain and obviously right; `NameIndex` gives the same answers for many names at once.
    """
    wanted = normalise_organisation(name)
    if not wanted:
        return []
    found = []
    for candidate in candidates:
        result = compare(wanted, key(candidate), threshold)
        if result is not None:
            found.append(NameMatch(candidate, *result))
    return sorted(found, key=lambda m: -m.score)


class NameIndex(Generic[T]):
    """Many candidates prepared once, so thousands of names can be matched against them.

    The exact rule is `compare`; the index only chooses which pairs to try, by blocking on
    words rather than scoring every pair. A pair matches only if its compact forms are
    equal, or one name is part of the other (found in an inverted index of word sets), or
    every distinctive word of each is spelt nearly the same in the other (`_words_agree`).
    So a name is tried only against the candidates in which each of its distinctive words
    has a counterpart scoring WORD_AGREEMENT or more (rapidfuzz's cdist between the
    distinct words, in C) or appears inside the candidate's compact form: a few candidates
    each, instead of every one, and still the same answers as trying every pair.
    """

    def __init__(self, candidates: Iterable[T], key: Callable[[T], str],
                 threshold: float = DEFAULT_MATCH_THRESHOLD) -> None:
        self.candidates: list[T] = list(candidates)
        self.threshold = threshold
        self.keys = [key(candidate) for candidate in self.candidates]
        self.parts = [name_parts(k) for k in self.keys]
        self._by_word: dict[str, set[int]] = defaultdict(set)
        self._by_words: dict[frozenset[str], list[int]] = defaultdict(list)
        self._by_compact: dict[str, list[int]] = defaultdict(list)
        self._by_core_word: dict[str, set[int]] = defaultdict(set)
        for number, parts in enumerate(self.parts):
            self._by_words[parts.words].append(number)
            self._by_compact[parts.compact].append(number)
            for word in parts.words:
                self._by_word[word].add(number)
            for word in parts.core_words:
                self._by_core_word[word].add(number)
        # Every compact form in one text, so "is this word inside a candidate's compact
        # form" is one C-level scan per word; `_starts` maps a position back to its owner.
        self._compacts = "\n".join(parts.compact for parts in self.parts)
        self._starts = list(accumulate((len(p.compact) + 1 for p in self.parts[:-1]),
                                       initial=0))

    def match_many(self, names: Sequence[str | None]) -> list[list[NameMatch[T]]]:
        """For each raw name, its matches best first (as `best_matches` would give)."""
        wanted = [normalise_organisation(name) for name in names]
        results: list[list[NameMatch[T]]] = [[] for _ in wanted]
        live = [i for i, w in enumerate(wanted) if w and name_parts(w).core]
        if not live or not self.candidates:
            return results
        agreeing = self._agreeing_words({word for i in live
                                         for word in name_parts(wanted[i]).core_words})
        for number in live:
            query = name_parts(wanted[number])
            tried = self._similar(query, agreeing) | self._containing(query)
            tried.update(self._by_compact.get(query.compact, ()))
            found = []
            for index in tried:
                result = compare(wanted[number], self.keys[index], self.threshold)
                if result is not None:
                    found.append((-result[0], index, result[1]))
            # Ties keep the candidates' order, as the pair-by-pair search does.
            results[number] = [NameMatch(self.candidates[index], -negated, kind)
                               for negated, index, kind in sorted(found)]
        return results

    def _containing(self, query: NameParts) -> set[int]:
        """Candidates that contain every word of `query`, or whose words are all in it."""
        found: set[int] = set()
        if query.distinctive:
            postings = sorted((self._by_word.get(word, set()) for word in query.words), key=len)
            found = set(postings[0]).intersection(*postings[1:]) if postings else set()
        # Names are a handful of words, so looking up every smaller set of them is cheap;
        # for a long one, count how many of each candidate's words it has instead.
        words = sorted(query.words)
        if len(words) <= 8:
            for size in range(1, len(words)):
                for subset in combinations(words, size):
                    found.update(self._by_words.get(frozenset(subset), ()))
        else:
            shared: dict[int, int] = defaultdict(int)
            for word in words:
                for number in self._by_word.get(word, ()):
                    shared[number] += 1
            found.update(n for n, count in shared.items() if count == len(self.parts[n].words))
        return found

    def _similar(self, query: NameParts, agreeing: dict[str, set[int]]) -> set[int]:
        """Candidates in which every distinctive word of `query` has a counterpart: the
        only ones `_words_agree`, and so a "similar" match, can accept."""
        postings = sorted((agreeing[word] for word in query.core_words), key=len)
        return set(postings[0]).intersection(*postings[1:]) if postings else set()

    def _agreeing_words(self, words: set[str]) -> dict[str, set[int]]:
        """For each word, the candidates with a core word scoring WORD_AGREEMENT or more
        against it, or whose compact form contains it (as `_words_agree` reads them)."""
        ordered = sorted(words)
        theirs = list(self._by_core_word)
        found: dict[str, set[int]] = {word: set() for word in ordered}
        if not ordered or not theirs:
            return found
        # In slices, so the score matrix stays a few megabytes whatever the volume.
        for first in range(0, len(ordered), 2048):
            rows = ordered[first:first + 2048]
            matrix = process.cdist(rows, theirs, scorer=fuzz.ratio,
                                   score_cutoff=WORD_AGREEMENT, dtype=np.uint8, workers=-1)
            for row, column in zip(*np.nonzero(matrix), strict=True):
                found[rows[int(row)]].update(self._by_core_word[theirs[int(column)]])
        for word in ordered:
            at = self._compacts.find(word)
            while at >= 0:
                found[word].add(bisect_right(self._starts, at) - 1)
                at = self._compacts.find(word, at + 1)
        return found
