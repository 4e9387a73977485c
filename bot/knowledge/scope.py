"""Out-of-scope routes (knowledge/out_of_scope.yaml): what the policies don't cover and who does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.chunking import Passage
from bot.knowledge.contacts import Contact
from bot.yamlio import load_yaml_file

#: Route passages carry this document name, so they can be told apart from policy text in the
#: index (and in a cached index, which stores only passages).
OUT_OF_SCOPE_DOCUMENT = "@out-of-scope"


@dataclass(frozen=True)
class Route:
    """A topic the integrity policies do not cover, described in staff words, and its contact."""

    topic: str
    description: str
    contact: Contact

    def passage(self) -> Passage:
        return Passage(OUT_OF_SCOPE_DOCUMENT, self.topic, None, (self.topic,),
                       " ".join(self.description.split()))


def load_routes(path: Path) -> tuple[Route, ...]:
    """Read `routes: [{topic, description, contact: {name, how}}]`; none if the file is absent.

    Entries without a topic, a description or a contact name are skipped: a route that
    cannot say where to go is no better than the default contact.
    """
    if not path.is_file():
        return ()
    raw = load_yaml_file(path) or {}
    items = raw.get("routes") or [] if isinstance(raw, dict) else raw
    routes = []
    for item in items:
        if not isinstance(item, dict):
            continue
        contact = item.get("contact") or {}
        topic, description = item.get("topic"), item.get("description")
        if topic and description and contact.get("name"):
            routes.append(Route(str(topic), str(description),
                                Contact(str(contact["name"]), str(contact.get("how", "")))))
    return tuple(routes)


def is_out_of_scope(passage: Passage) -> bool:
    """Whether a passage is a route description rather than policy text."""
    return passage.document == OUT_OF_SCOPE_DOCUMENT
