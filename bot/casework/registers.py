"""The internal registers: every field of every declaration of a kind, with its decision history."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.casework.followup import time_to_decision
from bot.casework.queries import (
    DeclarationSearch,
    appeals_for,
    current_decision,
    find_declarations,
    list_declarations,
    predecessor,
)
from bot.casework.rules import CaseworkRules
from bot.store.models import Appeal, Declaration, DeclarationKind, Person

#: The names the command line uses for each register.
REGISTERS = {
    "gifts": DeclarationKind.GIFT_HOSPITALITY,
    "interests": DeclarationKind.BUSINESS_INTEREST,
    "associations": DeclarationKind.NOTIFIABLE_ASSOCIATION,
}

# Characters that make a spreadsheet treat a cell as a formula: declarants type free text,
# and an export must not run it when an analyst opens the file.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def pounds(pence: int | None) -> str | None:
    return None if pence is None else f"{pence // 100}.{pence % 100:02d}"


def _instant(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _name(person: Person | None) -> str | None:
    return person.display_name if person is not None else None


def declared_answers(declaration: Declaration) -> dict[str, Any]:
    """What the declarant answered. Keys starting with "_" are Probity's own bookkeeping
    (the `_declarant` snapshot, `_precision`), never answers, so they are left out."""
    return {key: value for key, value in (declaration.answers or {}).items()
            if not str(key).startswith("_")}


def declarant_snapshot(declaration: Declaration) -> dict[str, Any]:
    """The declarant's details as they were when they filed (name, rank, role, team...),
    kept by filing because a later promotion must not rewrite the register; {} if none."""
    snapshot = (declaration.answers or {}).get("_declarant")
    return dict(snapshot) if isinstance(snapshot, dict) else {}


def register_entries(
    session: Session,
    rules: CaseworkRules,
    kind: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    now: dt.datetime | None = None,
    prefetch: bool = True,
) -> list[dict[str, Any]]:
    """One entry per declaration of `kind` whose register date falls in [start, end].

    `prefetch=False` looks up each record's appeals and predecessor one by one (as `probity
    casework show` does for one record); the benchmark times it as the plain way.

    Every record is included whatever its status, superseded and withdrawn ones too:
    this is the internal register, and nothing is ever left out of it.
    """
    found = list_declarations(session, kinds=[kind], start=start, end=end)
    related = Related.load(session) if prefetch else None
    return [register_entry(session, rules, declaration, now, related) for declaration in found]


def matching_entries(session: Session, rules: CaseworkRules, search: DeclarationSearch,
                     now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Register entries for the declarations `search` matches (the console's CSV export)."""
    found = find_declarations(session, search)
    related = Related.load(session)
    return [register_entry(session, rules, declaration, now, related) for declaration in found]


@dataclass
class Related:
    """Appeals and replaced records for a whole register, read in two queries.

    Looking them up record by record costs two queries each (and the replaced record's
    column has no index), which made a 5,000-record export take seconds; both are rare, so
    reading all of them at once is small.
    """

    predecessors: dict[int, Declaration] = field(default_factory=dict)
    appeals: dict[int, list[Appeal]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Related:
        related = cls()
        for replaced in session.scalars(select(Declaration).where(
                Declaration.superseded_by_id.is_not(None)).order_by(Declaration.id)):
            if replaced.superseded_by_id is not None:
                related.predecessors.setdefault(replaced.superseded_by_id, replaced)
        for appeal in session.scalars(select(Appeal).order_by(Appeal.id)):
            related.appeals.setdefault(appeal.declaration_id, []).append(appeal)
        return related


def register_entry(session: Session, rules: CaseworkRules, declaration: Declaration,
                   now: dt.datetime | None = None, related: Related | None = None
                   ) -> dict[str, Any]:
    """One declaration as a register entry: every field, its decisions, appeals and history."""
    person = declaration.person
    standing = current_decision(declaration)
    timing = time_to_decision(declaration, rules, now)
    if related is None:
        replaced = predecessor(session, declaration)
        appeals = appeals_for(session, declaration)
    else:
        replaced = related.predecessors.get(declaration.id)
        appeals = related.appeals.get(declaration.id, [])
    successor = session.get(Declaration, declaration.superseded_by_id) \
        if declaration.superseded_by_id else None
    return {
        "reference": declaration.reference,
        "kind": declaration.kind,
        "status": declaration.status,
        "submitted_at": _instant(declaration.submitted_at),
        "occurred_on": _day(declaration.occurred_on),
        "declarant": person.display_name,
        "declarant_id": f"{person.surface}:{person.surface_id}",
        "rank_or_grade": person.rank_or_grade,
        "role": person.role,
        "team": person.team,
        "staff_type": person.staff_type,
        "line_manager": _name(declaration.line_manager),
        "summary": declaration.summary,
        "value_pence": declaration.value_pence,
        "value_gbp": pounds(declaration.value_pence),
        "counterparty_name": declaration.counterparty_name,
        "counterparty_organisation": declaration.counterparty_organisation,
        "counterparty_relationship": declaration.counterparty_relationship,
        "outcome": declaration.outcome,
        "decision_due": _day(timing.due_on),
        "decided_at": _instant(declaration.decided_at),
        "days_to_decision": timing.days,
        "decision_target_breached": timing.breached,
        "current_decision": standing.outcome if standing else None,
        "current_rationale": standing.rationale if standing else None,
        "current_conditions": standing.conditions if standing else None,
        "review_due": _day(declaration.review_due),
        "compliance_check_due": _day(declaration.compliance_check_due),
        "supersedes": replaced.reference if replaced else None,
        "superseded_by": successor.reference if successor else None,
        "workflow": declaration.workflow,
        "workflow_version": declaration.workflow_version,
        "approvers": list(declaration.approvers or []),
        "answers": declared_answers(declaration),
        "decisions": [
            {
                "stage": decision.stage,
                "outcome": decision.outcome,
                "rationale": decision.rationale,
                "conditions": decision.conditions,
                "decided_by": _name(decision.decided_by),
                "decided_at": _instant(decision.decided_at),
            }
            for decision in declaration.decisions
        ],
        "appeals": [
            {"grounds": appeal.grounds, "lodged_at": _instant(appeal.lodged_at),
             "decided": appeal.decision_id is not None}
            for appeal in appeals
        ],
        "history": [
            {"from": change.from_status, "to": change.to_status, "at": _instant(change.at),
             "note": change.note}
            for change in declaration.history
        ],
    }


def write_json(entries: Sequence[dict[str, Any]], stream: IO[str]) -> None:
    json.dump(entries, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


#: The single-valued fields of an entry, in export order; the CSV's leading columns.
SCALAR_COLUMNS = (
    "reference", "kind", "status", "submitted_at", "occurred_on", "declarant", "declarant_id",
    "rank_or_grade", "role", "team", "staff_type", "line_manager", "summary", "value_pence",
    "value_gbp", "counterparty_name", "counterparty_organisation", "counterparty_relationship",
    "outcome", "decision_due", "decided_at", "days_to_decision", "decision_target_breached",
    "current_decision", "current_rationale", "current_conditions", "review_due",
    "compliance_check_due", "supersedes", "superseded_by", "workflow", "workflow_version",
)
#: Entry keys that hold lists or mappings; the CSV flattens them into readable columns.
NESTED_COLUMNS = ("approvers", "answers", "decisions", "appeals", "history")


def csv_table(entries: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """The entries as a header and rows: one row per declaration, answers as `answer:KEY`."""
    answer_keys = sorted({key for entry in entries for key in entry["answers"]})
    header = [*SCALAR_COLUMNS, "approvers", "decision_history", "appeals", "status_history",
              *(f"answer:{key}" for key in answer_keys)]
    rows = []
    for entry in entries:
        row = [entry[key] for key in SCALAR_COLUMNS]
        row.append("; ".join(str(item) for item in entry["approvers"]))
        row.append(" | ".join(_decision_text(item) for item in entry["decisions"]))
        row.append(" | ".join(f"{item['lodged_at']} {'decided' if item['decided'] else 'open'}:"
                              f" {item['grounds']}" for item in entry["appeals"]))
        row.append(" | ".join(f"{item['at']} {item['from'] or '-'} -> {item['to']}"
                              + (f": {item['note']}" if item["note"] else "")
                              for item in entry["history"]))
        row.extend(_flat(entry["answers"].get(key)) for key in answer_keys)
        rows.append([_cell(value) for value in row])
    return header, rows


def _decision_text(item: dict[str, Any]) -> str:
    text = (f"{item['decided_at']} {item['stage']} {item['outcome']} by {item['decided_by']}: "
            f"{item['rationale']}")
    return text + (f" [conditions: {item['conditions']}]" if item["conditions"] else "")


def _flat(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def write_csv(entries: Sequence[dict[str, Any]], stream: IO[str]) -> None:
    header, rows = csv_table(entries)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
