"""Reading a queue's or register's filters from the query string, keeping what was typed.

A date that is not a date is reported beside its field and ignored, never an error page:
the other filters still apply and everything typed is shown back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from starlette.datastructures import QueryParams

from bot.casework.queries import DeclarationSearch
from bot.casework.registers import REGISTERS
from bot.store.models import DeclarationStatus


@dataclass(frozen=True)
class Filters:
    """The search, the page asked for, and any problems to show beside the fields."""

    search: DeclarationSearch
    page: int
    values: dict[str, str]
    problems: dict[str, str] = field(default_factory=dict)


def _day(values: dict[str, str], name: str, problems: dict[str, str]) -> dt.date | None:
    text = values.get(name, "")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems[name] = "console.filter_bad_date"
        return None


def read_filters(query: QueryParams, default_statuses: tuple[str, ...] = (),
                 me: int | None = None) -> Filters:
    names = ("register", "status", "person", "organisation", "q", "from", "to", "assigned")
    values = {name: query.get(name, "").strip() for name in names}
    problems: dict[str, str] = {}
    kind = REGISTERS.get(values["register"])
    status = values["status"]
    statuses = (status,) if status in set(DeclarationStatus) else default_statuses
    if status and status not in set(DeclarationStatus) and status != "any":
        problems["status"] = "console.filter_bad_status"
    if status == "any":
        statuses = ()
    assigned: int | None = None
    if values["assigned"] == "me":
        assigned = me
    elif values["assigned"] == "nobody":
        assigned = 0
    elif values["assigned"].isdigit():
        assigned = int(values["assigned"])
    try:
        page = max(1, int(query.get("page", "1")))
    except ValueError:
        page = 1
    search = DeclarationSearch(
        kinds=(kind,) if kind else (), statuses=statuses, person=values["person"],
        organisation=values["organisation"], text=values["q"],
        start=_day(values, "from", problems), end=_day(values, "to", problems),
        assigned_to=assigned)
    return Filters(search, page, values, problems)
