"""Importing the organisation's supplier and tender list, checking every row first."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.casework.names import normalise_organisation
from bot.messages import say
from bot.store.audit import record_event
from bot.store.models import Supplier, utcnow

SUPPLIER_STATUSES = ("tendering", "awarded", "expired")

# Headings procurement exports use for each field, compared case- and space-insensitively.
_HEADINGS = {
    "name": ("name", "supplier", "supplier_name", "company", "organisation", "bidder"),
    "contract": ("contract", "contract_name", "contract_title", "tender", "lot"),
    "status": ("status", "contract_status", "stage"),
    "starts_on": ("starts_on", "start", "start_date", "from", "tender_opens", "opens"),
    "ends_on": ("ends_on", "end", "end_date", "to", "until", "tender_closes", "closes"),
}
# Words procurement teams use for the statuses Probity knows.
_STATUS_WORDS = {
    "tendering": "tendering", "tender": "tendering", "bidding": "tendering", "bidder": "tendering",
    "open": "tendering", "in_tender": "tendering",
    "awarded": "awarded", "active": "awarded", "live": "awarded", "current": "awarded",
    "expired": "expired", "ended": "expired", "closed": "expired", "terminated": "expired",
}


@dataclass(frozen=True)
class SupplierRow:
    line: int
    name: str
    contract: str | None
    status: str
    starts_on: dt.date | None
    ends_on: dt.date | None


@dataclass
class SupplierFile:
    """A parsed supplier list: the good rows and, by line number, what is wrong with the rest."""

    rows: list[SupplierRow] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def _heading_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def _date(text: str) -> dt.date:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_supplier_csv(text: str) -> SupplierFile:
    """Read and check a supplier CSV; line numbers count the heading as line 1."""
    parsed = SupplierFile()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        heading = next(reader)
    except StopIteration:
        parsed.problems.append((1, say("casework.supplier_file_empty")))
        return parsed
    columns: dict[str, int] = {}
    for index, cell in enumerate(heading):
        key = _heading_key(cell)
        for name, spellings in _HEADINGS.items():
            if key in spellings and name not in columns:
                columns[name] = index
    for required in ("name", "status"):
        if required not in columns:
            parsed.problems.append((1, say("casework.supplier_column_missing", column=required,
                                           expected=", ".join(_HEADINGS[required]))))
    if parsed.problems:
        return parsed
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        row, problems = _row(line, cells, columns)
        if problems:
            parsed.problems.extend((line, problem) for problem in problems)
        else:
            parsed.rows.append(row)  # type: ignore[arg-type]
    return parsed


def _row(line: int, cells: list[str], columns: dict[str, int]
         ) -> tuple[SupplierRow | None, list[str]]:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    problems = []
    name = cell("name")
    if not name or not normalise_organisation(name):
        problems.append(say("casework.supplier_name_missing"))
    status_text = cell("status")
    status = _STATUS_WORDS.get(_heading_key(status_text))
    if status is None:
        problems.append(say("casework.supplier_bad_status", status=repr(status_text),
                            choices=", ".join(SUPPLIER_STATUSES)))
    dates: dict[str, dt.date | None] = {}
    for name_of_date in ("starts_on", "ends_on"):
        raw = cell(name_of_date)
        try:
            dates[name_of_date] = _date(raw) if raw else None
        except ValueError:
            label = say("casework.supplier_date_start") if name_of_date == "starts_on" \
                else say("casework.supplier_date_end")
            problems.append(say("casework.supplier_bad_date", label=label, raw=repr(raw)))
    starts, ends = dates.get("starts_on"), dates.get("ends_on")
    if starts and ends and ends < starts:
        problems.append(say("casework.supplier_dates_reversed"))
    if problems:
        return None, problems
    return SupplierRow(line, name, cell("contract") or None, status, starts, ends), []  # type: ignore[arg-type]


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int


def import_suppliers(session: Session, rows: Iterable[SupplierRow], actor: str,
                     source: str | None = None) -> ImportResult:
    """Add new suppliers and update known ones (same normalised name and contract).

    Suppliers missing from a later file are kept: an old tender still explains old
    hospitality, and nothing in the store is deleted.
    """
    added = updated = 0
    now = utcnow()
    for row in rows:
        normalised = normalise_organisation(row.name)
        existing = session.scalars(select(Supplier).where(
            Supplier.normalised_name == normalised,
            Supplier.contract.is_(None) if row.contract is None
            else Supplier.contract == row.contract,
        )).first()
        if existing is None:
            session.add(Supplier(name=row.name, normalised_name=normalised,
                                 contract=row.contract, status=row.status,
                                 starts_on=row.starts_on, ends_on=row.ends_on, imported_at=now))
            added += 1
        else:
            existing.name, existing.status = row.name, row.status
            existing.starts_on, existing.ends_on, existing.imported_at = \
                row.starts_on, row.ends_on, now
            updated += 1
    session.flush()
    record_event(session, actor, "suppliers.imported", source,
                 {"added": added, "updated": updated})
    return ImportResult(added, updated)
