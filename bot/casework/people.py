"""Finding the member of staff a command names with `--as NAME`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.casework.errors import CaseworkError
from bot.store.models import Person

#: The surface name for people known from the staff directory (the terminal's people).
DIRECTORY_SURFACE = "console"


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
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        exact = [person for person in matches if person.surface_id == wanted]
        if len(exact) == 1:
            return exact[0]
        listed = ", ".join(f"{p.display_name} ({p.surface}:{p.surface_id})" for p in matches)
        raise CaseworkError(f"More than one person is called {name!r}: {listed}. "
                            "Use their id instead.")
    entry = _directory_entry(directory_file, wanted) if directory_file else None
    if entry is None:
        raise CaseworkError(f"Nobody called {name!r} is known to Probity or the staff directory.")
    person = Person(surface=DIRECTORY_SURFACE, **entry)
    session.add(person)
    session.flush()
    return person


def _directory_entry(path: Path, wanted: str) -> dict[str, Any] | None:
    for entry in directory_entries(path):
        if wanted == entry["surface_id"] or wanted.lower() == entry["display_name"].lower():
            return entry
    return None


def directory_entries(path: Path | None) -> list[dict[str, Any]]:
    """Every staff-directory entry as Person fields.

    The directory's exact layout belongs to the terminal surface, so common spellings of
    each field are accepted; a missing or unreadable file gives no entries.
    """
    if path is None or not path.is_file():
        return []
    try:
        with path.open(encoding="utf-8") as handle:
            loaded = yaml.safe_load(handle) or []
    except (OSError, yaml.YAMLError):
        return []
    if isinstance(loaded, dict):
        loaded = next((value for value in loaded.values() if isinstance(value, list)), [])
    entries = []
    for raw in loaded if isinstance(loaded, list) else []:
        if not isinstance(raw, dict):
            continue
        key = str(raw.get("key") or raw.get("id") or raw.get("username") or "").strip()
        display = str(raw.get("display_name") or raw.get("name") or key).strip()
        if not display:
            continue
        entries.append({
            "surface_id": key or display,
            "display_name": display,
            "rank_or_grade": raw.get("rank_or_grade") or raw.get("rank") or raw.get("grade"),
            "staff_type": raw.get("staff_type") or raw.get("type"),
            "role": raw.get("role"),
            "team": raw.get("team"),
            "email": raw.get("email"),
        })
    return entries
