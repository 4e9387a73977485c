"""The policy versions a campaign is about: found by front-matter id or file name, kept as
sections, and compared with the version before to say which sections changed."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.knowledge.loaders import Document, load_document, policy_files

#: A heading's leading number ("3.", "3.2", "11.1") is dropped when matching sections, so a
#: section renumbered by an insertion above it is the same section.
NUMBERING = re.compile(r"^\s*(?:section\s+)?\d+(?:\.\d+)*\.?\s*", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


class PolicyNotFound(LookupError):
    """No policy file has that front-matter id or file name."""


@dataclass(frozen=True)
class SectionChange:
    """One section that differs between two versions: "changed", "added" or "removed"."""

    heading: str
    change: str


def find_policy(folder: Path, wanted: str) -> tuple[Document, Path]:
    """The document whose front-matter `id` or file name without extension is `wanted`."""
    key = wanted.strip().lower()
    for path in policy_files(folder):
        if path.stem.lower() == key:
            return load_document(path), path
    for path in policy_files(folder):
        document = load_document(path)
        if document.metadata.get("id", "").lower() == key:
            return document, path
    raise PolicyNotFound(wanted)


def policy_key(document: Document, path: Path) -> str:
    """How campaigns name a policy across versions: its front-matter id, else its file name."""
    return document.metadata.get("id") or path.stem


def sections_of(document: Document) -> list[dict[str, str]]:
    """The version's sections as stored with a campaign: heading path and text."""
    return [{"heading": " > ".join(section.headings), "text": section.text}
            for section in document.sections if section.text.strip()]


def changed_sections(before: Sequence[Mapping[str, str]],
                     after: Sequence[Mapping[str, str]]) -> list[SectionChange]:
    """The sections of `after` that are new or reworded since `before`, then those removed,
    in the new version's order. Whitespace and numbering alone are not changes."""
    old = {heading_key(section["heading"]): _words(section["text"]) for section in before}
    new_keys = set()
    changes: list[SectionChange] = []
    for section in after:
        key = heading_key(section["heading"])
        new_keys.add(key)
        if key not in old:
            changes.append(SectionChange(section["heading"], "added"))
        elif old[key] != _words(section["text"]):
            changes.append(SectionChange(section["heading"], "changed"))
    changes += [SectionChange(section["heading"], "removed") for section in before
                if heading_key(section["heading"]) not in new_keys]
    return changes


def document_record(document: Document, path: Path,
                    previous: Mapping[str, Any] | None) -> dict[str, Any]:
    """What a campaign keeps about one policy: enough to show, diff and check it later."""
    sections = sections_of(document)
    record: dict[str, Any] = {
        "key": policy_key(document, path), "title": document.title,
        "version": document.version, "source": path.name,
        "url": document.metadata.get("url") or document.metadata.get("source_url"),
        "sections": sections, "previous_version": None, "changes": None,
    }
    if previous is not None and previous.get("version") != document.version:
        record["previous_version"] = previous.get("version")
        record["changes"] = [{"heading": change.heading, "change": change.change}
                             for change in changed_sections(previous["sections"], sections)]
    return record


def heading_key(heading: str) -> str:
    return " > ".join(NUMBERING.sub("", part).strip().lower() for part in heading.split(" > "))


def _words(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
