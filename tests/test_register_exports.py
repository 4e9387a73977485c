"""The internal registers: exact rows, every field, and the decision history."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest
from fixtures.casework import factory
from fixtures.casework.factory import at

from bot.casework.registers import (
    NESTED_COLUMNS,
    SCALAR_COLUMNS,
    csv_table,
    register_entries,
    write_csv,
    write_json,
)
from bot.casework.rules import CaseworkRules
from bot.casework.service import Casework
from bot.config import Settings
from bot.store import Store


@pytest.fixture
def rules(settings: Settings) -> CaseworkRules:
    return CaseworkRules.from_settings(dataclasses.replace(settings, handlers=("psd.khan",)))


@pytest.fixture
def register(store: Store, settings: Settings, rules: CaseworkRules) -> dict[str, str]:
    """Two gifts and an interest, one gift decided, the other awaiting a decision."""
    with store.transaction() as session:
        officer = factory.person(session, "psd.khan", "Sam Khan", rank="Inspector", team="PSD")
        jones = factory.person(session, "pc.jones", "Chris Jones", rank="PC",
                               role="Response officer", team="Response North")
        first = factory.gift(session, jones, "Acme Security Ltd", 8000, "2026-06-15",
                             description="=HYPERLINK(\"x\")", donor="Pat Acme")
        second = factory.gift(session, jones, None, 1500, "2026-08-01", outcome="declined",
                              relationship="public", description="Bottle of wine")
        interest = factory.declaration(session, jones, "business_interest",
                                       submitted="2026-06-20",
                                       answers={"work": "Referee", "hours_per_week": 4})
        refs = {"first": first.reference, "second": second.reference,
                "interest": interest.reference, "officer": str(officer.id)}
    casework = Casework(store, settings, rules=rules)
    casework.decide(refs["first"], "refused", "Bidder in a live tender.",
                    by=int(refs["officer"]), now=at("2026-07-20"))
    return refs


def test_gift_register_rows_are_exact(
    store: Store, rules: CaseworkRules, register: dict[str, str],
) -> None:
    with store.session() as session:
        entries = register_entries(session, rules, "gift_hospitality", now=at("2026-09-01"))
    header, rows = csv_table(entries)

    assert header == [*SCALAR_COLUMNS, "approvers", "decision_history", "appeals",
                      "status_history", "answer:donor_name", "answer:what"]
    first = dict(zip(header, rows[0], strict=True))
    assert first == {
        "reference": register["first"], "kind": "gift_hospitality", "status": "refused",
        "submitted_at": "2026-06-15T10:00:00+00:00", "occurred_on": "2026-06-15",
        "declarant": "Chris Jones", "declarant_id": "console:pc.jones", "rank_or_grade": "PC",
        "role": "Response officer", "team": "Response North", "staff_type": "officer",
        "line_manager": "", "summary": "'=HYPERLINK(\"x\")", "value_pence": "8000",
        "value_gbp": "80.00", "counterparty_name": "Pat Acme",
        "counterparty_organisation": "Acme Security Ltd",
        "counterparty_relationship": "supplier_or_bidder", "outcome": "accepted",
        "decision_due": "2026-07-13", "decided_at": "2026-07-20T10:00:00+00:00",
        "days_to_decision": "35", "decision_target_breached": "yes",
        "current_decision": "refused", "current_rationale": "Bidder in a live tender.",
        "current_conditions": "", "review_due": "", "compliance_check_due": "",
        "supersedes": "", "superseded_by": "", "workflow": "gift_hospitality",
        "workflow_version": "", "approvers": "",
        "decision_history": "2026-07-20T10:00:00+00:00 initial refused by Sam Khan: "
                            "Bidder in a live tender.",
        "appeals": "",
        "status_history": "2026-06-15T10:00:00+00:00 - -> submitted: filed | "
                          "2026-07-20T10:00:00+00:00 submitted -> refused: "
                          "Bidder in a live tender.",
        "answer:donor_name": "Pat Acme",
        # A formula typed by a declarant is defused before a spreadsheet can run it.
        "answer:what": "'=HYPERLINK(\"x\")",
    }
    second = dict(zip(header, rows[1], strict=True))
    assert (second["reference"], second["status"], second["outcome"], second["decided_at"],
            second["days_to_decision"], second["decision_target_breached"],
            second["answer:donor_name"]) == (register["second"], "submitted", "declined", "",
                                             "31", "yes", "")


def test_json_export_keeps_structure(
    store: Store, rules: CaseworkRules, register: dict[str, str],
) -> None:
    with store.session() as session:
        entries = register_entries(session, rules, "business_interest", now=at("2026-07-01"))
    stream = io.StringIO()
    write_json(entries, stream)
    [entry] = json.loads(stream.getvalue())
    assert set(entry) == {*SCALAR_COLUMNS, *NESTED_COLUMNS}
    assert entry["answers"] == {"work": "Referee", "hours_per_week": 4}
    assert (entry["reference"], entry["days_to_decision"], entry["decisions"]) == \
        (register["interest"], 11, [])


def test_date_range_filters_on_when_it_happened(
    store: Store, rules: CaseworkRules, register: dict[str, str],
) -> None:
    with store.session() as session:
        july = register_entries(session, rules, "gift_hospitality",
                                start=at("2026-07-01").date(), end=at("2026-08-01").date())
        june = register_entries(session, rules, "gift_hospitality",
                                end=at("2026-06-30").date())
    assert [e["reference"] for e in july] == [register["second"]]
    assert [e["reference"] for e in june] == [register["first"]]


def test_an_empty_register_still_has_its_header(store: Store, rules: CaseworkRules) -> None:
    stream = io.StringIO()
    with store.session() as session:
        write_csv(register_entries(session, rules, "notifiable_association"), stream)
    assert list(csv.reader(io.StringIO(stream.getvalue()))) == [
        [*SCALAR_COLUMNS, "approvers", "decision_history", "appeals", "status_history"]]
