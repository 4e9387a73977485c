"""Importing the supplier and tender list: every row checked, bad ones named by line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from bot.casework.suppliers import import_suppliers, parse_supplier_csv
from bot.store import Store
from bot.store.models import AuditEvent, Supplier

FIXTURES = Path(__file__).parent / "fixtures" / "casework"


def test_a_good_file_is_parsed_with_normalised_statuses_and_dates() -> None:
    parsed = parse_supplier_csv((FIXTURES / "suppliers.csv").read_text(encoding="utf-8"))
    assert parsed.valid
    assert [(r.line, r.name, r.status, r.starts_on, r.ends_on) for r in parsed.rows] == [
        (2, "Acme Security Ltd", "tendering", dt.date(2026, 5, 1), dt.date(2026, 8, 31)),
        (3, "Northmoor Fleet Services PLC", "awarded", dt.date(2026, 10, 1),
         dt.date(2029, 9, 30)),
        (4, "Blue Light Events & Catering LLP", "awarded", dt.date(2024, 4, 1),
         dt.date(2027, 3, 31)),
        (5, "Harbour Forensics Limited", "expired", dt.date(2021, 1, 1), dt.date(2024, 12, 31)),
    ]


def test_bad_rows_are_reported_by_line_number() -> None:
    text = (FIXTURES / "suppliers_with_errors.csv").read_text(encoding="utf-8")
    parsed = parse_supplier_csv(text)
    assert not parsed.valid
    assert parsed.problems == [
        (3, "the supplier name is missing"),
        (4, "status 'pending' is not one of tendering, awarded, expired"),
        (5, "start date '31/02/2026' is not a date (use 2026-07-01 or 01/07/2026)"),
        (6, "the end date is before the start date"),
    ]


def test_a_file_without_the_needed_columns_is_refused() -> None:
    parsed = parse_supplier_csv("Company,Value\nAcme,100\n")
    assert parsed.problems == [
        (1, "no status column in the heading (expected one of: status, contract_status, stage)")]


def test_importing_twice_updates_rather_than_duplicates(store: Store) -> None:
    rows = parse_supplier_csv((FIXTURES / "suppliers.csv").read_text(encoding="utf-8")).rows
    with store.transaction() as session:
        first = import_suppliers(session, rows, actor="system", source="suppliers.csv")
    awarded = parse_supplier_csv(
        "Supplier,Contract,Status,Start,End\n"
        "ACME Security Limited,Custody suite CCTV maintenance 2026,awarded,"
        "2026-09-01,2028-08-31\n").rows
    with store.transaction() as session:
        second = import_suppliers(session, awarded, actor="system", source="update.csv")
    assert (first.added, first.updated, second.added, second.updated) == (4, 0, 0, 1)
    with store.session() as session:
        acme = session.scalars(select(Supplier).where(
            Supplier.normalised_name == "acme security")).one()
        assert (acme.name, acme.status, acme.starts_on) == \
            ("ACME Security Limited", "awarded", dt.date(2026, 9, 1))
        assert session.scalar(select(Supplier.id).where(Supplier.name.like("Harbour%")))
        actions = session.scalars(select(AuditEvent.details).where(
            AuditEvent.action == "suppliers.imported")).all()
        assert actions == [{"added": 4, "updated": 0}, {"added": 0, "updated": 1}]
