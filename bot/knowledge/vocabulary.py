"""Staff vocabulary: everyday words mapped to the policies' terms (knowledge/vocabulary.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge.text import stem, terms, words
from bot.yamlio import load_yaml_file

#: Words the person typed count fully; words added from the vocabulary count for less, so a
#: passage that uses the person's own words still wins over one that only uses synonyms.
OWN_WEIGHT = 1.0
EXPANSION_WEIGHT = 0.7
#: Words that ask what is forbidden ("what can't I say", "am I not allowed to"). They are
#: stop words, so on their own they add nothing; but a question built on them is asking for
#: the section that lists prohibitions, which policies write with "never" and "prohibited".
PROHIBITION_CUES = frozenset({"not", "can't", "cannot", "mustn't", "shouldn't", "never",
                              "banned", "forbidden", "prohibited",
                              # as typed on a phone, without the apostrophe
                              "cant", "mustnt", "shouldnt"})
PROHIBITION_TERMS = ("never", "prohibit")
PROHIBITION_WEIGHT = 0.5


@dataclass(frozen=True)
class QueryTerms:
    """A question's search terms with weights, and which own terms each synonym stands for.

    `alternatives[term]` holds the policy terms the vocabulary offered for `term`, so a
    passage that says "gift" counts as covering a question that said "freebie".
    """

    weights: dict[str, float]
    own: tuple[str, ...]
    alternatives: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Sums of money the question names, in pounds (set by Knowledge.query_terms).
    amounts: tuple[float, ...] = ()
    #: The question's own words unstemmed, for the exact-word field (set by Knowledge).
    exact: dict[str, float] = field(default_factory=dict)
    #: Whether the question asks for an amount ("what's the limit", "how much can").
    limit_question: bool = False
    #: Whether the question asks for a length of time ("how long", "deadline").
    duration_question: bool = False


@dataclass(frozen=True)
class Vocabulary:
    """Phrases (as word sequences) and the search terms each one adds.

    Phrases match whole words, not stems: stemming would make "reporter" (a journalist)
    match "report" and send every question about reporting wrongdoing to the media policy.
    A plural "s" is allowed, so "freebie" also matches "freebies".
    """

    entries: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    _by_first: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        """Read a vocabulary file of `terms: {staff phrase: [policy term, ...]}`; none if absent."""
        if not path.is_file():
            return cls()
        raw = load_yaml_file(path) or {}
        return cls.from_mapping(raw.get("terms") or {})

    @classmethod
    def from_mapping(cls, mapping: dict[str, list[str] | str]) -> Vocabulary:
        entries = []
        for phrase, targets in mapping.items():
            if isinstance(targets, str):
                targets = [targets]
            key = tuple(words(str(phrase)))
            added = tuple(dict.fromkeys(t for target in targets for t in terms(str(target))))
            if key and added:
                entries.append((key, added))
        return cls(tuple(entries))

    def __post_init__(self) -> None:
        # Entries by first word, so a question checks only the phrases that could start at
        # one of its words instead of the whole vocabulary.
        by_first: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for entry in self.entries:
            by_first.setdefault(entry[0][0], []).append(entry)
        object.__setattr__(self, "_by_first", by_first)

    def _candidates(self, sequence: list[str]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        found: dict[tuple[str, ...], tuple[str, ...]] = {}
        for word in set(sequence):
            for form in (word, word[:-1] if word.endswith("s") else None,
                         word[:-2] if word.endswith("es") else None):
                for key, added in self._by_first.get(form, ()) if form else ():
                    found[key] = added
        return list(found.items())

    def query_terms(self, question: str) -> QueryTerms:
        """The weighted search terms for a question: its own terms plus vocabulary additions."""
        own = terms(question)
        weights: dict[str, float] = {}
        for term in own:
            weights[term] = weights.get(term, 0.0) + OWN_WEIGHT
        alternatives: dict[str, set[str]] = {}
        sequence = words(question)
        own_set = set(own)
        matches: list[tuple[int, int, tuple[str, ...], tuple[str, ...]]] = []
        for key, added in self._candidates(sequence):
            matches.extend((start, start + len(key), key, added)
                           for start in _positions(sequence, key))
        # Longest phrase first; a phrase inside or overlapping one already matched adds
        # nothing, so "debt relief order" does not also bring in what "order" alone would,
        # and "a drinks machine" is a drinks machine, not "a drink" (between phrases of one
        # length the later wins: English puts the head noun last).
        matches.sort(key=lambda match: (match[0] - match[1], -match[0]))
        taken: list[tuple[int, int]] = []
        for start, end, key, added in matches:
            if any(start < high and end > low for low, high in taken):
                continue
            taken.append((start, end))
            for term in added:
                weights.setdefault(term, EXPANSION_WEIGHT)
            for word in key:
                if stem(word) in own_set:
                    alternatives.setdefault(stem(word), set()).update(added)
        if PROHIBITION_CUES & set(sequence):
            for term in PROHIBITION_TERMS:
                weights.setdefault(term, PROHIBITION_WEIGHT)
        return QueryTerms(
            weights=weights,
            own=tuple(dict.fromkeys(own)),
            alternatives={term: frozenset(found) for term, found in alternatives.items()},
        )


def _positions(sequence: list[str], phrase: tuple[str, ...]) -> list[int]:
    """Where `phrase` starts in `sequence` as consecutive words (each may add a plural s)."""
    return [
        start for start in range(len(sequence) - len(phrase) + 1)
        if all(_same_word(sequence[start + offset], word) for offset, word in enumerate(phrase))
    ]


def _contains(sequence: list[str], phrase: tuple[str, ...]) -> bool:
    """Whether `phrase` occurs in `sequence` as consecutive words (each may add a plural s)."""
    return bool(_positions(sequence, phrase))


def _same_word(seen: str, wanted: str) -> bool:
    return seen == wanted or seen == wanted + "s" or seen == wanted + "es"
