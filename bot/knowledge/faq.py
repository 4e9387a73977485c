"""Short FAQ entries (knowledge/faq.yaml) that point a common question at its policy section."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.text import terms
from bot.yamlio import load_yaml_file


@dataclass(frozen=True)
class FaqEntry:
    """A common question and the document and section that answer it."""

    question: str
    document: str
    section: str
    terms: frozenset[str]


def load_faq(path: Path) -> tuple[FaqEntry, ...]:
    """Read FAQ entries; accepts a top-level list or a `faqs:` (or `entries:`) list.

    Each entry needs `question` (or a `questions` list of phrasings), `document` and
    `section`; entries missing any are ignored, since an FAQ only steers ranking.
    """
    if not path.is_file():
        return ()
    raw = load_yaml_file(path) or []
    if isinstance(raw, dict):
        raw = (raw.get("faqs") or raw.get("entries") or raw.get("faq")
               or raw.get("questions") or [])
    entries = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        document, section = item.get("document"), item.get("section")
        phrasings = item.get("questions") or [item.get("question")]
        if not document or not section:
            continue
        for phrasing in phrasings:
            if phrasing:
                entries.append(FaqEntry(str(phrasing), str(document), str(section),
                                        frozenset(terms(str(phrasing)))))
    return tuple(entries)
