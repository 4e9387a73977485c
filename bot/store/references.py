"""Human-friendly references such as GH-2026-0042, unique per kind and year."""

from __future__ import annotations

import importlib
import re
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from bot.messages import say
from bot.store.models import ReferenceCounter


class ReferenceKind(StrEnum):
    """The prefix each kind of record carries in its reference."""

    GIFT_HOSPITALITY = "GH"
    BUSINESS_INTEREST = "BI"
    NOTIFIABLE_ASSOCIATION = "NA"
    REPORT = "R"


REFERENCE_PATTERN = re.compile(r"^(GH|BI|NA|R)-(\d{4})-(\d{4,})$")


def format_reference(kind: ReferenceKind, year: int, number: int) -> str:
    return f"{kind.value}-{year}-{number:04d}"


def normalise_reference(text: str) -> str | None:
    """A reference as a person typed it ("gh 2026 42") in its canonical form, or None."""
    match = re.fullmatch(r"\s*(GH|BI|NA|R)[\s\-_/]*(\d{4})[\s\-_/]*(\d{1,})\s*", text, re.I)
    if not match:
        return None
    prefix, year, number = match.groups()
    return format_reference(ReferenceKind(prefix.upper()), int(year), int(number))


def allocate_reference(session: Session, kind: ReferenceKind, year: int) -> str:
    """The next reference of `kind` for `year`, inside the caller's transaction.

    One upsert statement bumps the counter and returns it, so the database's row lock
    (held until the caller commits) keeps concurrent writers from getting the same number.
    A rolled-back transaction leaves a gap, which is harmless.
    """
    dialect = session.get_bind().dialect.name
    if dialect not in {"postgresql", "sqlite"}:
        raise RuntimeError(say("store.unsupported_backend", dialect=dialect))
    # Only the backend in use is imported: SQLAlchemy's PostgreSQL dialect alone costs
    # about 0.1 s of start-up, which a SQLite terminal session need not pay.
    insert_for = importlib.import_module(f"sqlalchemy.dialects.{dialect}").insert
    table = ReferenceCounter.__table__
    # Both dialects' insert() offer on_conflict_do_update; the generic Insert type does not.
    statement: Any = insert_for(table).values(prefix=kind.value, year=year, last=1)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.prefix, table.c.year],
        set_={"last": table.c.last + 1},
    ).returning(table.c.last)
    number = session.execute(statement).scalar_one()
    return format_reference(kind, year, number)
