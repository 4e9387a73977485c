"""Cutting documents into passages: one per section, with its heading path, title and version."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from bot.knowledge.loaders import Document

#: Sections longer than this many words are split at paragraph breaks, so a long section in
#: a foreign document does not drown its one relevant sentence in BM25's length penalty.
MAX_PASSAGE_WORDS = 400


@dataclass(frozen=True)
class Passage:
    """A searchable piece of a policy: the text of one section (or part of a long one)."""

    document: str  # file name without directory
    title: str
    version: str | None
    headings: tuple[str, ...]
    text: str

    @property
    def section(self) -> str:
        """The deepest heading above the passage, as a citation names it."""
        return self.headings[-1] if self.headings else self.title

    def to_dict(self) -> dict:
        data = asdict(self)
        data["headings"] = list(self.headings)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Passage:
        return cls(data["document"], data["title"], data.get("version"),
                   tuple(data["headings"]), data["text"])


def chunk(documents: Iterable[Document]) -> list[Passage]:
    """Passages for every section of every document, in document order."""
    passages = []
    for document in documents:
        for section in document.sections:
            for part in _split_long(section.text):
                passages.append(Passage(document.name, document.title, document.version,
                                        section.headings, part))
    return passages


def _split_long(text: str) -> list[str]:
    """The text itself, or paragraph groups of at most MAX_PASSAGE_WORDS words each."""
    if len(text.split()) <= MAX_PASSAGE_WORDS:
        return [text]
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for paragraph in (p.strip() for p in text.split("\n\n")):
        if not paragraph:
            continue
        length = len(paragraph.split())
        if current and size + length > MAX_PASSAGE_WORDS:
            parts.append("\n\n".join(current))
            current, size = [], 0
        current.append(paragraph)
        size += length
    if current:
        parts.append("\n\n".join(current))
    return parts
