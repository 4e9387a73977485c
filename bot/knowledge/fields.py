"""Everything derived from the passages that a question needs, built once and cached together.

The body index is only one of the structures a question touches: the heading field, the FAQ
field, which document and section each passage belongs to, which passages are out-of-scope
routes and which headings state a money limit. Rebuilding those in every process cost
seconds at 50,000 passages, so they are built with the index and saved beside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from bot.knowledge.chunking import Passage
from bot.knowledge.faq import FaqEntry
from bot.knowledge.index import SearchIndex, passage_terms
from bot.knowledge.scope import is_out_of_scope
from bot.knowledge.text import fold, terms, unstemmed_terms
from bot.messages import say, speaking
from bot.messages.words import groups


@cache
def _heading_limit() -> tuple[re.Pattern[str], dict[str, str]]:
    """A heading's money limit ("below £25", "at or above £25") and what each comparison
    phrase means (below, up_to, above, at_least), from the words file: the longest phrase
    is tried first, so "at or above" is not read as "above"."""
    with speaking(None):  # the documents' language, as for the stop words
        meaning = {" ".join(phrase.split()): sense
                   for sense, said in groups("search", "limit_comparisons").items()
                   for phrase in said}
    alternatives = "|".join(r"\s+".join(map(re.escape, phrase.split()))
                            for phrase in sorted(meaning, key=len, reverse=True))
    return re.compile(rf"\b({alternatives})\s+£\s*(\d+(?:\.\d+)?)"), meaning


def heading_limit_phrases() -> dict[str, str]:
    """Each phrase a heading may set a money limit with, and what it means."""
    return dict(_heading_limit()[1])
_MONEY = re.compile(r"£\s*\d")
#: A stated length of time ("within 28 days", "twelve months", "48 hours"): the answer to a
#: "how long" or "deadline" question, whether or not it says "deadline".
_DURATION = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|"
    r"fifteen|twenty|thirty)(?:[- ]\w+)?\s+(?:working\s+|calendar\s+|clear\s+)?"
    r"(?:hours?|days?|weeks?|months?|years?)\b", re.IGNORECASE)
#: Windows of a heading-less document are named "Paragraph N" (the catalogue's wording):
#: not a heading the author chose, so not part of the heading field.
_PARAGRAPH_PREFIX = say("knowledge.paragraph_heading", number="").strip()


def heading_terms(passage: Passage) -> list[str]:
    """The heading field of a passage: its deepest heading, and its document's title with it
    when the document has headings of its own. A passage without a heading (a page cut
    into windows, a page with no sub-headings) has an empty field: giving it the title
    would make every page on a topic "match its heading" and drown the body's evidence."""
    if not passage.headings or passage.headings[-1].startswith(_PARAGRAPH_PREFIX):
        return []
    return terms(passage.section) + terms(passage.title)


def section_key(document: str, section: str) -> str:
    """How a section is named across files (FAQ targets, evaluation): document + heading."""
    return f"{document}\n{fold(section).strip()}"


@dataclass
class PolicyIndex:
    """The body index and the fields and lookups derived from the same passages."""

    body: SearchIndex
    #: The deepest heading and the document title of each passage, as a field of its own.
    headings: SearchIndex
    #: The FAQ questions written for each passage's section, in staff words.
    faq: SearchIndex
    #: The passage's words unstemmed: a stem shared by two topics ("benefit"/"benefits"
    #: of a pension, "leave"/"leaving") is checked against the exact word.
    exact: SearchIndex
    #: Passage number -> document number, section number (for FAQ targets).
    document_of: np.ndarray
    section_of: np.ndarray
    section_keys: list[str]
    route_mask: np.ndarray
    #: Passages whose text or heading states a sum of money ("£25"): a "limit" question's
    #: answer states an amount, whether or not it uses the word "limit".
    states_amount: np.ndarray
    #: Passages whose text or heading states a length of time ("within 28 days").
    states_duration: np.ndarray
    #: Passage number -> (comparison, £ limit) pairs its deepest heading states.
    heading_limits: dict[int, list[tuple[str, float]]]

    @property
    def passages(self) -> list[Passage]:
        return self.body.passages

    def __len__(self) -> int:
        return len(self.body)

    @classmethod
    def build(cls, passages: Sequence[Passage], faq: Sequence[FaqEntry] = (),
              body_tokens: Sequence[Sequence[str]] | None = None) -> PolicyIndex:
        """Index `passages` (their body terms computed here unless given) with every field."""
        passages = list(passages)
        body = SearchIndex.build(passages, body_tokens or [passage_terms(p) for p in passages])
        headings = SearchIndex.build(passages, [heading_terms(p) for p in passages])
        by_section: dict[str, list[str]] = {}
        for entry in faq:
            by_section.setdefault(section_key(entry.document, entry.section), []).extend(
                entry.terms)
        keys: dict[str, int] = {}
        section_of = np.asarray(
            [keys.setdefault(section_key(p.document, p.section), len(keys)) for p in passages],
            dtype=np.int64)
        section_keys = list(keys)
        faq_index = SearchIndex.build(
            passages, [by_section.get(section_keys[number], []) for number in section_of])
        exact = SearchIndex.build(
            passages, [unstemmed_terms(f"{p.section} {p.text}") for p in passages])
        names: dict[str, int] = {}
        document_of = np.asarray([names.setdefault(p.document, len(names)) for p in passages],
                                 dtype=np.int64)
        limits: dict[int, list[tuple[str, float]]] = {}
        heading_limit, meaning = _heading_limit()
        for number, passage in enumerate(passages):
            found = [(meaning[" ".join(match.group(1).split())], float(match.group(2)))
                     for match in heading_limit.finditer(fold(passage.section))]
            if found:
                limits[number] = found
        return cls(
            body=body, headings=headings, faq=faq_index, exact=exact,
            document_of=document_of, section_of=section_of, section_keys=section_keys,
            route_mask=np.asarray([is_out_of_scope(p) for p in passages], dtype=bool),
            states_amount=np.asarray(
                [bool(_MONEY.search(p.text) or _MONEY.search(p.section)) for p in passages],
                dtype=bool),
            states_duration=np.asarray(
                [bool(_DURATION.search(p.text) or _DURATION.search(p.section))
                 for p in passages], dtype=bool),
            heading_limits=limits)

    # Persistence: the body index writes the passages; the other fields write arrays only.

    _FIELDS = ("headings", "faq", "exact")

    def save(self, stem: Path) -> None:
        self.body.save(stem)
        for name in self._FIELDS:
            getattr(self, name).save_arrays(stem.with_name(f"{stem.name}.{name}.npz"))
        np.savez(stem.with_name(f"{stem.name}.lookups.npz"), document_of=self.document_of,
                 section_of=self.section_of, route_mask=self.route_mask,
                 states_amount=self.states_amount, states_duration=self.states_duration)
        stem.with_name(f"{stem.name}.lookups.json").write_text(json.dumps({
            "section_keys": self.section_keys,
            "heading_limits": [[number, pairs] for number, pairs in self.heading_limits.items()],
        }, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, stem: Path) -> PolicyIndex:
        """Read what save() wrote; raises OSError/ValueError/KeyError if anything is damaged."""
        body = SearchIndex.load(stem)
        fields = {name: SearchIndex.load_arrays(stem.with_name(f"{stem.name}.{name}.npz"),
                                                body.passages) for name in cls._FIELDS}
        with np.load(stem.with_name(f"{stem.name}.lookups.npz"), allow_pickle=False) as arrays:
            lookups = {name: arrays[name] for name in (
                "document_of", "section_of", "route_mask", "states_amount",
                "states_duration")}
        extra = json.loads(stem.with_name(f"{stem.name}.lookups.json").read_text(
            encoding="utf-8"))
        if any(len(array) != len(body) for array in lookups.values()):
            raise ValueError(stem.name)
        return cls(body=body, headings=fields["headings"], faq=fields["faq"],
                   exact=fields["exact"], document_of=lookups["document_of"],
                   section_of=lookups["section_of"], route_mask=lookups["route_mask"],
                   states_amount=lookups["states_amount"],
                   states_duration=lookups["states_duration"],
                   section_keys=list(extra["section_keys"]),
                   heading_limits={int(number): [(str(c), float(v)) for c, v in pairs]
                                   for number, pairs in extra["heading_limits"]})

    @staticmethod
    def files(stem: Path) -> list[Path]:
        """Every file save() writes for `stem` (so the cache can prune them together)."""
        names = [stem.with_suffix(".npz"), stem.with_suffix(".json"),
                 stem.with_name(f"{stem.name}.lookups.npz"),
                 stem.with_name(f"{stem.name}.lookups.json")]
        return names + [stem.with_name(f"{stem.name}.{name}.npz")
                        for name in PolicyIndex._FIELDS]
