"""Turning search results into an answer: the sentences that answer, citations, confidence."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.knowledge.chunking import Passage
from bot.knowledge.contacts import Contact
from bot.knowledge.text import Sentence, sentence_units, terms, words
from bot.knowledge.vocabulary import QueryTerms
from bot.messages import say
from bot.turns import Citation

#: How many sources an answer cites, best first.
CITATIONS = 3
#: At most this many sentences of the best passage make up the answer.
MAX_SENTENCES = 3
#: A sentence joins the answer only if it scores at least this share of the best sentence.
SENTENCE_SHARE = 0.35
#: Heading terms count for this share of their IDF when choosing sentences.
HEADING_SHARE = 0.5
#: Sentences that state a rule score this much more (when they share terms at all).
RULE_BONUS = 1.5
_RULE_WORDS = frozenset({"may", "must", "never", "should", "need", "needs", "only", "cannot",
                        "not", "required", "allowed", "permitted", "prohibited"})


@dataclass(frozen=True)
class ScoredPassage:
    """A passage and its search score (higher is better; comparable within one query)."""

    passage: Passage
    score: float
    #: The plain BM25 score before document and FAQ boosts; the confidence rule uses it.
    bm25: float = 0.0


@dataclass(frozen=True)
class Confidence:
    """Why an answer was or was not given, kept so tests and `probity eval` can show it.

    `coverage` is the IDF-weighted share of the question's own words that the best passage
    contains (directly or through the vocabulary); `strength` is the best score divided by
    the score a passage containing every question word once would get at average length.
    """

    coverage: float
    strength: float
    answered: bool
    #: The fitted answer rule's probability that the question is answerable (None when the
    #: fixed floors decided).
    probability: float | None = None


@dataclass(frozen=True)
class Answer:
    """What Probity says to one question, in the shape `probity ask --json` prints."""

    question: str
    answered: bool
    answer: str
    citations: tuple[Citation, ...] = ()
    contact: Contact | None = None
    confidence: Confidence | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md contract: question, answered, answer, citations (best first)."""
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": self.answer,
            "citations": [
                {"document": c.document, "title": c.title, "section": c.section,
                 "score": c.score, "text": c.text}
                for c in self.citations
            ],
        }

    def source_line(self) -> str | None:
        """"Source: <title>, section <section> (<document>)" for the best citation."""
        if not self.citations:
            return None
        best = self.citations[0]
        return say("knowledge.source_line", title=best.title, section=best.section,
                   document=best.document)


def cite(hit: ScoredPassage) -> Citation:
    passage = hit.passage
    return Citation(document=passage.document, title=passage.title, section=passage.section,
                    score=round(hit.score, 4), text=passage.text)


def trim(passage: Passage, query: QueryTerms, idf: dict[str, float]) -> str:
    """The 1-3 sentences of the passage that answer the question best, in their order.

    A sentence scores the IDF of the question terms it contains (a synonym at its lower
    weight), plus a share for the section heading's terms (the heading says what the
    section decides, e.g. "shared with the team"), and a bonus when it states a rule
    (may, must, never...) about those terms: "They may be accepted if..." answers "can I
    accept?" better than the sentence that merely names the thing asked about. Nothing is
    shown that leans on text left out: a "This/It/They" sentence comes with the one before
    it, a list item with the line that introduces the list, and a line ending in ":" only
    with an item of its list.
    """
    units = sentence_units(passage.text)
    if not units:
        return passage.text.strip()
    heading = set(terms(passage.section)) - set(query.weights)
    scored = []
    for position, unit in enumerate(units):
        present = set(terms(unit.text))
        score = sum(weight * idf.get(term, 0.0)
                    for term, weight in query.weights.items() if term in present)
        score += HEADING_SHARE * sum(idf.get(term, 1.0) for term in heading & present)
        if score > 0 and _RULE_WORDS & set(words(unit.text)):
            score *= RULE_BONUS
        scored.append((score, position))
    best = max(score for score, _ in scored)
    if best <= 0:
        return _render(units, sorted(_with_context(units, 0)))
    chosen: list[int] = []
    for score, position in sorted(scored, key=lambda item: (-item[0], item[1])):
        if score < SENTENCE_SHARE * best:
            break
        added = _with_context(units, position) - set(chosen)
        if added and len(chosen) + len(added) <= MAX_SENTENCES:
            chosen = sorted({*chosen, *added})
    if not chosen:  # the best sentence's context alone exceeds the budget
        chosen = [max(scored)[1]]
    return _render(units, _complete_lead_ins(units, chosen))


def _with_context(units: list[Sentence], position: int) -> set[int]:
    """The sentence at `position` plus what it cannot be read without."""
    unit = {position}
    while True:
        first = min(unit)
        lead_in = units[first].lead_in
        if units[first].item and lead_in is not None:
            unit.add(lead_in)
        elif first > 0 and not units[first].item and _leans_back(units[first].text):
            unit.add(first - 1)
        else:
            return unit
        if min(unit) == first:
            return unit


def _complete_lead_ins(units: list[Sentence], chosen: list[int]) -> list[int]:
    """Give a chosen line ending in ":" an item of its list, or drop it if none fits."""
    kept = list(chosen)
    for position in chosen:
        if not units[position].text.endswith(":") or position + 1 >= len(units):
            continue
        if any(units[other].lead_in == position for other in kept):
            continue
        follower = position + 1
        if len(kept) < MAX_SENTENCES:
            kept = sorted({*kept, follower})
        elif len(kept) > 1 and not any(units[other].lead_in == position for other in kept):
            kept.remove(position)
    return kept


def _render(units: list[Sentence], chosen: list[int]) -> str:
    """The chosen sentences as prose: list items read on from their lead-in, and the last
    item shown ends the sentence instead of trailing a ";" or "; and"."""
    parts = []
    for place, position in enumerate(chosen):
        text = units[position].text
        last_of_run = units[position].item and (
            place + 1 == len(chosen) or not units[chosen[place + 1]].item)
        if last_of_run:
            text = _LIST_TAIL.sub("", text).rstrip() + "."
            text = text.replace("..", ".")
        if units[position].item and units[position].lead_in not in chosen:
            text = text[:1].upper() + text[1:]
        parts.append(text)
    return " ".join(parts)


_LIST_TAIL = re.compile(r"\s*(?:[;,]\s*(?:and|or)?|\band|\bor)\s*$", re.IGNORECASE)


def _leans_back(sentence: str) -> bool:
    return words(sentence)[:1] in (["they"], ["this"], ["it"], ["these"])


def not_covered(question: str, contact: Contact, confidence: Confidence | None = None) -> Answer:
    """The honest answer when no passage is good enough, pointing to someone who knows."""
    text = say("knowledge.not_covered", name=contact.name, how=contact.how.rstrip("."))
    return Answer(question=question, answered=False, answer=text,
                  citations=(), contact=contact, confidence=confidence)


def covered(question: str, hits: Sequence[ScoredPassage], query: QueryTerms,
            idf: dict[str, float], contact: Contact | None,
            confidence: Confidence | None = None) -> Answer:
    """An answer from the best passage, citing up to three passages best first."""
    return Answer(question=question, answered=True, answer=trim(hits[0].passage, query, idf),
                  citations=tuple(cite(hit) for hit in hits[:CITATIONS]), contact=contact,
                  confidence=confidence)
