"""Who to ask: topic contacts from knowledge/contacts.yaml, matched on the question's words."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.text import words
from bot.knowledge.vocabulary import _contains
from bot.messages import say
from bot.yamlio import load_yaml_file


def _fallback() -> Contact:
    """The contact used when a force has no contacts file at all (wording in the catalogue)."""
    return Contact(say("knowledge.fallback_contact_name"), say("knowledge.fallback_contact_how"))


@dataclass(frozen=True)
class Contact:
    """A person or team to ask, and how to reach them."""

    name: str
    how: str


@dataclass(frozen=True)
class Topic:
    name: str
    keywords: tuple[tuple[str, ...], ...]  # each a word sequence
    contact: Contact


@dataclass(frozen=True)
class ContactBook:
    """The default contact and the topic contacts, in the file's order."""

    default: Contact
    topics: tuple[Topic, ...] = ()

    @classmethod
    def load(cls, path: Path) -> ContactBook:
        """Read `default: {name, how}` and `topics: [{name, keywords, contact}]`."""
        if not path.is_file():
            return cls(_fallback())
        raw = load_yaml_file(path) or {}
        default = raw.get("default") or {}
        topics = []
        for item in raw.get("topics") or []:
            contact = item.get("contact") or {}
            keywords = tuple(
                tuple(words(str(keyword))) for keyword in item.get("keywords") or []
            )
            topics.append(Topic(str(item.get("name", "")), tuple(k for k in keywords if k),
                                Contact(str(contact.get("name", "")), str(contact.get("how", "")))))
        return cls(
            Contact(str(default.get("name") or _fallback().name),
                    str(default.get("how") or _fallback().how)),
            tuple(topics),
        )

    def for_question(self, question: str) -> Contact | None:
        """The contact of the topic whose keywords the question mentions most, or None.

        Longer keyword phrases count for more, so "corporate card" beats a bare "claim".
        """
        said = words(question)
        best: tuple[int, Topic] | None = None
        for topic in self.topics:
            weight = sum(len(keyword) for keyword in topic.keywords if _contains(said, keyword))
            if weight and (best is None or weight > best[0]):
                best = (weight, topic)
        return best[1].contact if best else None

    def to_ask(self, question: str) -> Contact:
        """The matching topic's contact, else the default."""
        return self.for_question(question) or self.default
