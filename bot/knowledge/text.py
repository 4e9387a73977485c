"""Turning text into search terms: tokenising, stop words and Snowball stemming."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import snowballstemmer

from bot.messages import catalogue, current_locale, speaking
from bot.messages.words import phrases

# Curly quotes and dashes arrive from Word, PDFs and phones; fold them so "victim’s" and
# "victim's" tokenise the same way.
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                       "\u2013": "-", "\u2014": "-", "\u00a0": " "})
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

def stop_words() -> frozenset[str]:
    """The words left out of search terms (messages/<locale>/words/search.yaml): function
    words, the filler around a question and phone-typed contractions. They are read in the
    organisation's default language, not the turn's: they must match how the documents
    were indexed, whoever is asking."""
    with speaking(None):
        return _stop_words(catalogue().directory, current_locale())


@cache
def _stop_words(directory: Path, locale: str) -> frozenset[str]:
    del directory, locale  # the cache key: the list differs by catalogue and language
    return frozenset(phrases("search", "stop_words"))

_stemmer = snowballstemmer.stemmer("english")

#: English irregular forms the Snowball stemmer leaves apart from their base ("gave" is not
#: "give", "sold" is not "sell"): the exception table every lemmatiser carries, limited to
#: verbs that say what happens to an offer, a gift or money, and "sale" with "sell" so that
#: "occasional sales of your own belongings" answers "can I sell my old stuff". ("paid" was
#: tried and left out: it drew pay-day questions to the expenses policy.)
_IRREGULAR = {
    "gave": "give", "given": "give", "sold": "sell", "sale": "sell", "sales": "sell",
    "bought": "buy", "lent": "lend",
    "won": "win", "spent": "spend",
}


def fold(text: str) -> str:
    """Lower-case and fold typographic quotes and dashes to plain ASCII ones."""
    return text.translate(_FOLD).lower()


#: A run of text where PDF extraction dropped the space between two words: a capital after
#: a small letter ("PoliceStaff", "forBetterPolicing"), a capitalised word after capitals
#: ("SCHEDULEStandards") or a number ("1.1The"), a page number after a word ("Concessions7").
_GLUED = re.compile(r"[a-z]{3}[A-Z]|[A-Z][A-Z][a-z]{3}|\d[A-Z][a-z]|[a-z]{3}\d")
_JOIN = re.compile(r"(?<=[a-z]{3})(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]{3})|(?<=\d)(?=[A-Z][a-z])|"
                   r"(?<=[a-z]{3})(?=\d)")


def words(text: str) -> list[str]:
    """Every word of `text`, lower-cased, possessives dropped, stop words kept.

    Hyphenated words split ("self-employed" -> "self", "employed") so either half finds
    the other's passages; "£25" becomes "25". Words run together by PDF extraction
    ("PoliceStaff") count as written and as their parts ("police", "staff"), so a question
    finds them and a quote of them still reads as written.
    """
    found = _words(text)
    end = 0
    for match in _GLUED.finditer(text):
        if match.start() < end:
            continue  # a second join in a run already read
        start = max(text.rfind(" ", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
        ends = [at for at in (text.find(" ", match.end()), text.find("\n", match.end()))
                if at >= 0]
        end = min(ends) if ends else len(text)
        run = text[start:end]
        whole = set(_words(run))
        found.extend(word for word in _words(_JOIN.sub(" ", run)) if word not in whole)
    return found


def _words(text: str) -> list[str]:
    found = []
    for match in _WORD.finditer(fold(text)):
        word = match.group()
        if word.endswith("'s"):
            word = word[:-2]
        found.append(word)
    return found


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of one lower-case word (of its base form, for an irregular
    one), cached: stemming is the slow part."""
    return str(_stemmer.stemWord(_IRREGULAR.get(word, word)))


def terms(text: str) -> list[str]:
    """The search terms of `text`: words without stop words or single letters, stemmed."""
    stop = stop_words()
    return [stem(word) for word in words(text) if len(word) > 1 and word not in stop]


def unstemmed_terms(text: str) -> list[str]:
    """The words `terms` would keep, not stemmed: "leaving" stays apart from "leave"."""
    stop = stop_words()
    return [word for word in words(text) if len(word) > 1 and word not in stop]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(£])")
_ITEM = re.compile(r"^([-*+]|\d+[.)])\s+")


@dataclass(frozen=True)
class Sentence:
    """One sentence or list item of a passage, with where it sits in the passage's layout.

    `lead_in` is the position of the sentence ending in ":" that introduces the list an
    item belongs to ("You must declare any association with:"), or None.
    """

    text: str
    item: bool = False
    lead_in: int | None = None


def sentence_units(text: str) -> list[Sentence]:
    """Split a passage into sentences and list items, each stripped of Markdown emphasis.

    Lines wrapped inside a paragraph or a list item (Markdown written at 90 columns, text
    from a PDF) are joined first, so a sentence is never cut at a line end. List items
    count as sentences of their own: a policy's bullet is usually the exact line that
    answers a question.
    """
    blocks: list[tuple[bool, str]] = []
    current: list[str] = []
    current_item = False
    for raw in text.splitlines() + [""]:
        line = raw.strip()
        marker = _ITEM.match(line)
        if (not line or marker) and current:
            blocks.append((current_item, " ".join(current)))
            current = []
        if not line:
            continue
        if marker:
            current_item = True
            line = line[marker.end():]
        elif not current:
            current_item = False
        current.append(line)
    units: list[Sentence] = []
    lead_in: int | None = None
    for item, block in blocks:
        block = block.replace("**", "").replace("__", "")
        parts = [part.strip() for part in _SENTENCE_END.split(block) if part.strip()]
        if not item:
            lead_in = None
        for part in parts:
            units.append(Sentence(part, item, lead_in if item else None))
        if not item and parts and parts[-1].endswith(":"):
            lead_in = len(units) - 1
    return units


def sentences(text: str) -> list[str]:
    """The text of each sentence and list item of a passage (see sentence_units)."""
    return [unit.text for unit in sentence_units(text)]
