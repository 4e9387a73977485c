"""Finding the member of staff a command names with `--as NAME`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.casework.errors import CaseworkError
from bot.directory import DirectoryError, StaffMember, load_directory, sync_people
from bot.messages import say
from bot.store.models import Person


def find_person(session: Session, name: str, directory_file: Path | None = None) -> Person:
    """The person whose surface id or display name is `name`.

    Someone in the staff directory who has not used Probity yet is added to the store, so
    an officer can act from the terminal on their first day.
    """
    wanted = name.strip()
    matches = session.scalars(
        select(Person).where(or_(Person.surface_id == wanted,
                                 func.lower(Person.display_name) == wanted.lower()))
        .order_by(Person.id)
    ).all()
    exact = [person for person in matches if person.surface_id == wanted]
    if len(matches) == 1 or len(exact) == 1:
        return matches[0] if len(matches) == 1 else exact[0]
    if matches:
        listed = ", ".join(f"{p.display_name} ({p.surface}:{p.surface_id})" for p in matches)
        raise CaseworkError(say("casework.several_people_called", name=repr(name),
                                listed=listed))
    members = _directory(directory_file)
    found = [m for m in members if wanted == m.key or wanted.lower() == m.name.lower()]
    if len(found) != 1:
        raise CaseworkError(say("casework.nobody_called", name=repr(name)))
    # The whole directory is synced so the person's line manager link is right too.
    return sync_people(session, members)[found[0].key]


def _directory(path: Path | None) -> list[StaffMember]:
    if path is None or not path.is_file():
        return []
    try:
        return load_directory(path)
    except DirectoryError as problem:
        raise CaseworkError(str(problem)) from None


def directory_entries(path: Path | None) -> list[dict[str, Any]]:
    """Everyone in the staff directory, for checks that must see people who never used Probity."""
    return [
        {"surface_id": member.key, "display_name": member.name,
         "rank_or_grade": member.rank_or_grade}
        for member in _directory(path)
    ]
