"""Report references drawn at random, so a reference says nothing of when or in what order."""

from __future__ import annotations

import secrets
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.references import ReferenceKind, format_reference
from bot.store.vault.models import Report

#: Six digits: a year's references rarely collide, and a typed receipt (20 digits) is never
#: mistaken for one (bot.reporting.reporter caps a reference's number at six digits).
_LOWEST, _SPACE = 100_000, 900_000


def new_report_reference(session: Session, year: int, waiting: Collection[str]) -> str:
    """A reference no report in the vault or the spool has; sequential numbers would order
    reports, and their shared counter row was written at the moment of submission."""
    while True:
        reference = format_reference(ReferenceKind.REPORT, year,
                                     _LOWEST + secrets.randbelow(_SPACE))
        if reference in waiting:
            continue
        if session.scalar(select(Report.id).where(Report.reference == reference)) is None:
            return reference
