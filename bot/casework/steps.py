"""One step in a declaration's history, dated when the step was taken."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from bot.store.history import set_declaration_status
from bot.store.models import Declaration, Person, StatusChange


def record_step(
    session: Session,
    declaration: Declaration,
    to_status: str,
    by: Person | None,
    note: str | None,
    at: dt.datetime,
    details: dict[str, Any] | None = None,
) -> StatusChange:
    """set_declaration_status, with the history row dated `at` like the decision it records,
    so a decision's time and its status change agree in the register."""
    change = set_declaration_status(session, declaration, to_status, by=by, note=note,
                                    details=details)
    change.at = at
    return change
