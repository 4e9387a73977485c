"""The staff directory: who works here, read from a YAML file and kept in the people table.

The terminal surface has no Slack workspace to say who someone is, so it reads a directory
file (knowledge/staff.yaml ships a demo one); "person" answers in a workflow are matched
against the same entries by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process, utils
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.messages import say
from bot.store.models import Person
from bot.turns import Speaker
from bot.yamlio import YAMLError, load_yaml_file

STAFF_TYPES = frozenset({"officer", "staff"})
#: How alike (0-100) a typed name and a directory name must be to count as a match.
MATCH_SCORE = 80
#: A match this much weaker than the best is dropped rather than offered as an alternative.
CLEAR_LEAD = 12


class DirectoryError(ValueError):
    """The directory file cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class StaffMember:
    """One member of staff, as a directory entry (or a Person row seen the same way)."""

    key: str
    name: str
    rank_or_grade: str | None = None
    staff_type: str | None = None
    role: str | None = None
    team: str | None = None
    line_manager: str | None = None
    email: str | None = None

    @property
    def label(self) -> str:
        """How Probity names them to others: rank and name, with the team to tell apart."""
        named = f"{self.rank_or_grade} {self.name}" if self.rank_or_grade else self.name
        return f"{named} ({self.team})" if self.team else named

    @classmethod
    def from_person(cls, person: Person, line_manager_key: str | None = None) -> StaffMember:
        return cls(person.surface_id, person.display_name, person.rank_or_grade,
                   person.staff_type, person.role, person.team, line_manager_key, person.email)


def load_directory(path: Path) -> list[StaffMember]:
    """Every entry in the directory file, in its order, checked for the mistakes that bite."""
    try:
        raw = load_yaml_file(path)
    except (OSError, YAMLError) as error:
        raise DirectoryError(say("directory.unreadable", path=path, error=error)) from None
    entries = raw.get("staff") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DirectoryError(say("directory.no_staff_list", path=path))
    members: list[StaffMember] = []
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("key") or not entry.get("name"):
            raise DirectoryError(say("directory.entry_incomplete", path=path, index=index))
        staff_type = entry.get("staff_type")
        if staff_type not in STAFF_TYPES:
            raise DirectoryError(say("directory.bad_staff_type", path=path, key=entry["key"]))
        members.append(StaffMember(
            key=str(entry["key"]), name=str(entry["name"]),
            rank_or_grade=entry.get("rank_or_grade"), staff_type=staff_type,
            role=entry.get("role"), team=entry.get("team"),
            line_manager=entry.get("line_manager"), email=entry.get("email"),
        ))
    keys = [member.key for member in members]
    for member in members:
        if keys.count(member.key) > 1:
            raise DirectoryError(say("directory.duplicate_key", path=path,
                                     key=repr(member.key)))
        if member.line_manager and member.line_manager not in keys:
            raise DirectoryError(say("directory.unknown_line_manager", path=path, key=member.key,
                                     manager=repr(member.line_manager)))
    return members


def sync_people(
    session: Session, members: Sequence[StaffMember], surface: str = "console"
) -> dict[str, Person]:
    """Create or update a Person row for each member, line managers included; keyed by key."""
    existing = {
        person.surface_id: person
        for person in session.scalars(select(Person).where(Person.surface == surface))
    }
    people: dict[str, Person] = {}
    for member in members:
        person = existing.get(member.key) or Person(surface=surface, surface_id=member.key)
        person.display_name = member.name
        person.rank_or_grade = member.rank_or_grade
        person.staff_type = member.staff_type
        person.role = member.role
        person.team = member.team
        person.email = member.email
        session.add(person)
        people[member.key] = person
    session.flush()
    for member in members:
        manager = people.get(member.line_manager) if member.line_manager else None
        people[member.key].line_manager_id = manager.id if manager else None
    session.flush()
    return people


def staff_on_surface(session: Session, surface: str) -> list[StaffMember]:
    """Everyone Probity knows on one surface, as directory entries, for matching names."""
    people = list(session.scalars(select(Person).where(Person.surface == surface)
                                  .order_by(Person.id)))
    keys = {person.id: person.surface_id for person in people}
    return [StaffMember.from_person(person, keys.get(person.line_manager_id or -1))
            for person in people]


def match_staff(text: str, members: Iterable[StaffMember]) -> list[StaffMember]:
    """Directory entries whose name (or key) fits what was typed, best first.

    One entry means a clear match; several mean the person must choose; none means nobody
    fits. Ranks typed with the name ("Sgt Khan") are tolerated.
    """
    wanted = utils.default_process(text)
    if not wanted:
        return []
    candidates = list(members)
    exact = [m for m in candidates if wanted in {utils.default_process(m.key),
                                                 utils.default_process(m.name),
                                                 utils.default_process(m.label)}]
    if len(exact) == 1:
        return exact
    choices = {index: f"{m.rank_or_grade or ''} {m.name}" for index, m in enumerate(candidates)}
    scored = process.extract(wanted, choices, scorer=_name_score,
                             processor=utils.default_process, limit=None)
    hits = [(score, index) for _, score, index in scored if score >= MATCH_SCORE]
    if not hits:
        return []
    best = max(score for score, _ in hits)
    return [candidates[index] for score, index in sorted(hits, key=lambda hit: -hit[0])
            if score >= best - CLEAR_LEAD]


def _name_score(wanted: str, name: str, **kwargs: object) -> float:
    # token_set_ratio lets "khan" or "sgt khan" find "Sgt Amira Khan"; partial handles typos.
    return max(fuzz.token_set_ratio(wanted, name), fuzz.WRatio(wanted, name))


def person_for_speaker(session: Session, speaker: Speaker) -> Person:
    """The speaker's Person row, created on their first turn.

    A new user's first two messages can arrive together; both find no row and both insert.
    The unique (surface, surface_id) constraint lets one win; the other's insert is undone
    in its savepoint (the rest of its transaction stands) and it reads the winner's row.
    """
    wanted = select(Person).where(Person.surface == speaker.surface,
                                  Person.surface_id == speaker.surface_id)
    person = session.scalars(wanted).first()
    if person is not None:
        return person
    try:
        with session.begin_nested():
            person = Person(surface=speaker.surface, surface_id=speaker.surface_id,
                            display_name=speaker.display_name or speaker.surface_id)
            session.add(person)
    except IntegrityError:
        return session.scalars(wanted).one()
    return person
