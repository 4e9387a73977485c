"""Cutting documents into passages: one per section, with its heading path, title and version."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from bot.knowledge import furniture
from bot.knowledge.loaders import Document, humanised_stem
from bot.messages import say

#: Sections longer than this many words are cut into paragraph windows, so a long section
#: in a foreign document does not drown its one relevant sentence in BM25's length penalty.
MAX_PASSAGE_WORDS = 400
#: The size a window aims at, and the longest paragraph carried into the next window.
WINDOW_WORDS = 250
OVERLAP_WORDS = 80


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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["headings"] = list(self.headings)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Passage:
        return cls(data["document"], data["title"], data.get("version"),
                   tuple(data["headings"]), data["text"])


def chunk(documents: Iterable[Document]) -> list[Passage]:
    """Passages for every section of every document, in document order.

    A section longer than MAX_PASSAGE_WORDS is cut into paragraph windows; a document with
    no headings at all is cut the same way, each window cited by the paragraph it starts
    at. Lines that recur across several documents (a site's banner or footer, a report's
    running header) are furniture and are left out; a title that is furniture gives way to
    the file's name.
    """
    documents = list(documents)
    shared = furniture.shared_lines(
        [[line for section in document.sections for line in section.text.splitlines()]
         + [document.title] for document in documents])
    passages = []
    for document in documents:
        title = document.title
        if furniture.normalised(title) in shared or furniture.is_furniture_line(title):
            title = humanised_stem(document.name)
        for section in document.sections:
            text = "\n".join(line for line in section.text.splitlines()
                             if furniture.normalised(line) not in shared)
            paragraphs = _paragraphs(text)
            parts = windows(paragraphs)
            for first, part in parts:
                headings = section.headings or (
                    (say("knowledge.paragraph_heading", number=first + 1),)
                    if len(parts) > 1 else ())
                passages.append(Passage(document.name, title, document.version,
                                        headings, part))
    return passages


def _paragraphs(text: str) -> list[str]:
    """Paragraphs (blank-line separated); one too long for a window is cut into runs of
    whole lines or sentences, since PDFs and OCR often give a page as one paragraph."""
    found: list[str] = []
    for paragraph in (p.strip() for p in text.split("\n\n")):
        if not paragraph:
            continue
        if len(paragraph.split()) <= MAX_PASSAGE_WORDS:
            found.append(paragraph)
            continue
        pieces = paragraph.splitlines() if paragraph.count("\n") > 3 else re.split(
            r"(?<=[.!?])\s+", paragraph)
        current: list[str] = []
        size = 0
        for piece in pieces:
            length = len(piece.split())
            if current and size + length > WINDOW_WORDS:
                found.append("\n".join(current))
                current, size = [], 0
            current.append(piece)
            size += length
        if current:
            found.append("\n".join(current))
    return found


def windows(paragraphs: list[str]) -> list[tuple[int, str]]:
    """(number of the first paragraph, text) of each window over `paragraphs`.

    Everything fits in one passage when it is at most MAX_PASSAGE_WORDS; otherwise windows
    of about WINDOW_WORDS words, each starting with the last paragraph of the one before
    (when that is short), so a rule split across a paragraph break is whole in one of them.
    """
    sizes = [len(p.split()) for p in paragraphs]
    if sum(sizes) <= MAX_PASSAGE_WORDS:
        return [(0, "\n\n".join(paragraphs))] if paragraphs else []
    found: list[tuple[int, str]] = []
    start = 0
    while start < len(paragraphs):
        end, size = start, 0
        while end < len(paragraphs) and (end == start or size + sizes[end] <= WINDOW_WORDS):
            size += sizes[end]
            end += 1
        found.append((start, "\n\n".join(paragraphs[start:end])))
        if end >= len(paragraphs):
            break
        overlap = end - 1 if end - 1 > start and sizes[end - 1] <= OVERLAP_WORDS else end
        start = overlap
    return found
