"""Who a campaign is for: everyone, officers, staff, a team, a rank, or the people in a CSV."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.directory import load_directory, sync_people
from bot.store.models import Person

#: A person known on several surfaces is reached once, on the first surface listed here.
SURFACE_PREFERENCE = ("slack", "console")
KINDS = ("everyone", "officers", "staff", "team", "rank", "csv")


class AudienceError(ValueError):
    """The audience could not be read; `key` names the message and `fields` fill it."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields


@dataclass(frozen=True)
class Audience:
    kind: str
    value: str = ""

    @classmethod
    def parse(cls, text: str) -> Audience:
        kind, _, value = text.strip().partition(":")
        kind = kind.strip().lower()
        if kind not in KINDS or (kind in {"team", "rank", "csv"}) != bool(value.strip()):
            raise AudienceError("campaigns.bad_audience", audience=text)
        return cls(kind, value.strip())

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.value}" if self.value else self.kind

    def select(self, session: Session, directory_file: Path | None) -> list[Person]:
        """The people it names, each once, on the surface Probity reaches them on."""
        if directory_file is not None and directory_file.exists():
            # Everyone in the directory has a row, so people who never used Probity are
            # reached (in the terminal) and their line managers are known.
            sync_people(session, load_directory(directory_file))
        people = reachable(session)
        if self.kind == "csv":
            wanted = _csv_names(Path(self.value))
            return [person for person in people if _names(person) & wanted]
        return [person for person in people if self._fits(person)]

    def _fits(self, person: Person) -> bool:
        if self.kind == "everyone":
            return True
        if self.kind in {"officers", "staff"}:
            return person.staff_type == self.kind.removesuffix("s")
        if self.kind == "team":
            return (person.team or "").strip().lower() == self.value.lower()
        return (person.rank_or_grade or "").strip().lower() == self.value.lower()


def reachable(session: Session) -> list[Person]:
    """Every person once: someone in the directory who is also on Slack (the same e-mail)
    is one person, reached on Slack."""
    people = sorted(session.scalars(select(Person)),
                    key=lambda p: (_rank(p.surface), p.id))
    seen: set[str] = set()
    chosen: list[Person] = []
    for person in people:
        identity = (person.email or "").strip().lower() or f"{person.surface}:{person.surface_id}"
        if identity in seen:
            continue
        seen.add(identity)
        chosen.append(person)
    return sorted(chosen, key=lambda p: p.id)


def same_human(session: Session, person: Person) -> list[int]:
    """The ids of every row that is this person on some surface (by e-mail)."""
    if not person.email:
        return [person.id]
    return [row.id for row in session.scalars(select(Person).where(
        Person.email == person.email))] or [person.id]


def _rank(surface: str) -> int:
    return SURFACE_PREFERENCE.index(surface) if surface in SURFACE_PREFERENCE else len(
        SURFACE_PREFERENCE)


def _names(person: Person) -> set[str]:
    return {name.strip().lower() for name in (person.surface_id, person.email or "",
                                              person.display_name) if name}


def _csv_names(path: Path) -> set[str]:
    """The first column of each row (a directory key, an e-mail address or a name)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            rows: Sequence[list[str]] = list(csv.reader(stream))
    except OSError as error:
        raise AudienceError("campaigns.csv_unreadable", path=path, error=error) from None
    return {row[0].strip().lower() for row in rows if row and row[0].strip()}
