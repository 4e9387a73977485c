"""`probity bench casework`: cross-checks and the register export timed on a large force's year.

A year is generated into a fresh store (SQLite in a temporary folder unless a database URL
is given): staff with a realistic spread of ranks, a supplier and tender list, and gift
declarations whose donors are often suppliers typed the way people type them (trading
names, slips, short names, capitals). The generator is seeded, so runs are comparable.
Each timing is also taken the obvious way, and the findings of both ways are compared.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.casework.names import GENERIC_DESCRIPTORS, normalise_organisation
from bot.casework.rules import CaseworkRules
from bot.config import Settings
from bot.messages import say
from bot.store.models import (
    Decision,
    Declaration,
    DeclarationKind,
    DeclarationStatus,
    Person,
    StatusChange,
    Supplier,
)

T = TypeVar("T")
YEAR = 2026
AS_OF = dt.date(YEAR, 12, 31)

# Ranks and their share of a force; senior ranks are rare, as they are.
_RANKS = [("PC", 0.55), ("Sergeant", 0.12), ("Inspector", 0.05), ("Chief Inspector", 0.015),
          ("Superintendent", 0.005), ("Chief Superintendent", 0.002), ("Staff Grade 4", 0.2),
          ("Staff Grade 6", 0.058)]
_SYLLABLES = ["nor", "th", "ga", "te", "bri", "ton", "ash", "ley", "wick", "mar", "den",
              "kel", "vo", "ra", "sto", "an", "fen", "lo", "qu", "is", "tor", "bel", "cre",
              "dun", "ex", "hal", "ing", "jas", "kin", "lum", "mo", "pri", "sel", "ul", "ver"]
_INDUSTRIES = ["security", "catering", "fleet", "forensics", "training", "consulting",
               "cleaning", "events", "vehicles", "software", "uniforms", "radio", "legal",
               "recruitment", "facilities", "medical", "translation", "drones", "analytics",
               "construction", "print", "travel", "hotels", "estates", "energy"]
_DESCRIPTORS = sorted(GENERIC_DESCRIPTORS)
_LEGAL = ["Ltd", "Limited", "PLC", "LLP", ""]


@dataclass(frozen=True)
class Volumes:
    """How much to generate: a large force's year by default."""

    staff: int = 30_000
    gifts: int = 5_000
    suppliers: int = 2_000
    interests: int = 150


def _coined(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _supplier_name(rng: random.Random) -> str:
    words = [_coined(rng), rng.choice(_INDUSTRIES).capitalize()]
    if rng.random() < 0.4:
        words.append(rng.choice(_DESCRIPTORS).capitalize())
    words.append(rng.choice(_LEGAL))
    return " ".join(w for w in words if w)


def _as_typed(name: str, rng: random.Random) -> str:
    """A supplier's name the way a declarant might type it."""
    words = [w for w in name.split() if normalise_organisation(w)]
    roll = rng.random()
    if roll < 0.25:  # a trading name: descriptor swapped or added
        return " ".join([*words[:2], rng.choice(_DESCRIPTORS).capitalize()])
    if roll < 0.4 and len(words[1]) > 5:  # a slip in the industry word
        slip = list(words[1])
        slip[2], slip[3] = slip[3], slip[2]
        return " ".join([words[0], "".join(slip), *words[2:]])
    if roll < 0.5:  # the short name
        return words[0]
    if roll < 0.7:
        return name.upper()
    return name


def _pick(rng: random.Random, weighted: list[tuple[T, float]]) -> T:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def seed_year(session: Session, volumes: Volumes, seed: int = 2026) -> dict[str, int]:
    """Fill an empty store with a generated year; returns what was made."""
    rng = random.Random(seed)
    teams = [f"Team {n:03d}" for n in range(max(1, volumes.staff // 100))]
    session.execute(insert(Person), [
        {"id": n, "surface": "console", "surface_id": f"staff.{n:05d}",
         "display_name": f"Staff {n:05d}", "rank_or_grade": _pick(rng, _RANKS),
         "team": rng.choice(teams), "staff_type": "officer"}
        for n in range(1, volumes.staff + 1)])

    names = list(dict.fromkeys(_supplier_name(rng) for _ in range(volumes.suppliers * 2)))
    names = names[:volumes.suppliers]
    suppliers = []
    for number, name in enumerate(names, 1):
        status = _pick(rng, [("tendering", 0.2), ("awarded", 0.6), ("expired", 0.2)])
        starts = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(-200, 330))
        ends = starts + dt.timedelta(days=rng.randrange(60, 900))
        suppliers.append({"id": number, "name": name, "normalised_name":
                          normalise_organisation(name), "contract": f"Contract {number:04d}",
                          "status": status, "starts_on": starts, "ends_on": ends})
    session.execute(insert(Supplier), suppliers)

    declarations, history, decisions = [], [], []
    officer = 1
    for number in range(1, volumes.gifts + volumes.interests + 1):
        gift = number <= volumes.gifts
        when = dt.datetime(YEAR, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(
            minutes=rng.randrange(0, 364 * 24 * 60))
        row: dict[str, Any] = {
            "id": number, "person_id": rng.randint(1, volumes.staff), "submitted_at": when,
            "workflow": "", "answers": {}, "summary": "", "approvers": [], "hints": []}
        if gift:
            roll = rng.random()
            organisation = None
            if roll < 0.35:
                organisation = _as_typed(rng.choice(names), rng)
            elif roll < 0.8:
                organisation = _supplier_name(rng)
            accepted = rng.random() < 0.8
            row.update(
                reference=f"GH-{YEAR}-{number:05d}", kind=DeclarationKind.GIFT_HOSPITALITY,
                value_pence=rng.randrange(500, 20_000, 50), counterparty_organisation=organisation,
                counterparty_name=None if organisation else say("casework_bench.public"),
                counterparty_relationship="supplier_or_bidder" if organisation else "public",
                outcome="accepted" if accepted else "declined", occurred_on=when.date(),
                summary="Hospitality")
            if organisation and rng.random() < 0.1:
                row["answers"] = {"tender_running": rng.random() < 0.3}
            status = _pick(rng, [(DeclarationStatus.SUBMITTED, 0.5),
                                 (DeclarationStatus.APPROVED, 0.3),
                                 (DeclarationStatus.NOTED, 0.2)])
        else:
            row.update(reference=f"BI-{YEAR}-{number:05d}",
                       kind=DeclarationKind.BUSINESS_INTEREST, summary="Second job")
            status = _pick(rng, [(DeclarationStatus.APPROVED, 0.9),
                                 (DeclarationStatus.REFUSED, 0.1)])
            if status == DeclarationStatus.REFUSED:
                row["compliance_check_due"] = when.date() + dt.timedelta(days=90)
        row["workflow"], row["status"] = row["kind"], status
        history.append({"declaration_id": number, "from_status": None,
                        "to_status": DeclarationStatus.SUBMITTED, "at": when,
                        "by_person_id": row["person_id"], "note": "filed"})
        if status != DeclarationStatus.SUBMITTED:
            decided = when + dt.timedelta(days=rng.randint(1, 40))
            row["decided_at"] = decided
            decisions.append({"declaration_id": number, "outcome": status.value,
                              "rationale": "Generated.", "stage": "initial",
                              "decided_by_id": officer, "decided_at": decided})
            history.append({"declaration_id": number, "from_status": "submitted",
                            "to_status": status, "at": decided, "by_person_id": officer,
                            "note": "Generated."})
        declarations.append(row)
    session.execute(insert(Declaration), declarations)
    session.execute(insert(StatusChange), history)
    session.execute(insert(Decision), decisions)
    return {"staff": volumes.staff, "suppliers": len(suppliers),
            "gifts": volumes.gifts, "interests": volumes.interests}


def _timed(work: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def plain_ratio_pairs(donors: list[str], suppliers: list[str], threshold: float) -> int:
    """The first thing one would write: fuzz.ratio on every donor-supplier pair."""
    from rapidfuzz import fuzz

    found = 0
    for donor in donors:
        for supplier in suppliers:
            if fuzz.ratio(donor, supplier) >= threshold:
                found += 1
    return found


def run_casework_benchmark(settings: Settings, volumes: Volumes, database_url: str | None,
                           slow: bool = True, sizes: tuple[int, ...] = ()) -> int:
    """Seed a year, time the checks and the export both ways, and print the figures; then
    the console's scale figures against their targets, the old way beside them, and (for
    each of `sizes`, a number of gifts) how they grow."""
    from bot.casework import bench_scale
    from bot.casework.checks import run_checks
    from bot.casework.registers import register_entries, write_csv
    from bot.store import Store

    with tempfile.TemporaryDirectory(prefix="probity-bench-") as home:
        local = dataclasses.replace(settings, home=Path(home), database_url=database_url)
        store = Store.open(local)
        rules = CaseworkRules.from_settings(local)
        with store.transaction() as session:
            made, seconds = _timed(lambda: seed_year(session, volumes))
        print(say("bench.casework_seeded", staff=made["staff"], suppliers=made["suppliers"],
                  gifts=made["gifts"], interests=made["interests"], seconds=seconds,
                  backend=store.engine.dialect.name))
        rows: list[tuple[str, float, float | None]] = []

        with store.session() as session:
            fast, fast_s = _timed(lambda: run_checks(session, rules, AS_OF))
        line = say("bench.casework_checks", findings=len(fast), seconds=fast_s)
        checks_row = say("bench.casework_checks_row")
        if slow:
            with store.session() as session:
                plain, slow_s = _timed(lambda: run_checks(session, rules, AS_OF, indexed=False))
            same = say("bench.casework_same_findings" if plain == fast
                       else "bench.casework_different_findings")
            line += say("bench.casework_checks_pairwise", seconds=slow_s, same=same)
            rows.append((checks_row, fast_s, slow_s))
        else:
            rows.append((checks_row, fast_s, None))
        print(line)

        with store.session() as session:
            donors = [normalise_organisation(o) for o in session.scalars(
                select(Declaration.counterparty_organisation).where(
                    Declaration.counterparty_organisation.is_not(None)))]
            listed = [normalise_organisation(n) for n in session.scalars(select(Supplier.name))]
        if slow:
            pairs, plain_s = _timed(lambda: plain_ratio_pairs(donors, listed,
                                                              rules.match_threshold))
            print(say("bench.casework_plain_ratio", pairs=len(donors) * len(listed),
                      seconds=plain_s, matched=pairs, threshold=rules.match_threshold))
            rows.append((say("bench.casework_matching_row"),
                         _supplier_matching_seconds(store, rules), plain_s))

        def export(prefetch: bool) -> str:
            with store.session() as session:
                entries = register_entries(session, rules, DeclarationKind.GIFT_HOSPITALITY,
                                           now=dt.datetime(YEAR + 1, 1, 1, tzinfo=dt.UTC),
                                           prefetch=prefetch)
            buffer = io.StringIO()
            write_csv(entries, buffer)
            return buffer.getvalue()

        written, export_s = _timed(lambda: export(True))
        line = say("bench.casework_export", records=volumes.gifts, megabytes=len(written) / 1e6,
                   seconds=export_s)
        if slow:
            record_by_record, one_by_one_s = _timed(lambda: export(False))
            same = say("bench.casework_same_file" if record_by_record == written
                       else "bench.casework_different_file")
            line += say("bench.casework_export_per_record", seconds=one_by_one_s, same=same)
        rows.append((say("bench.casework_export_row"), export_s,
                     one_by_one_s if slow else None))
        print(line)
        # The old way takes a few minutes at 50,000 records, so it runs even with --no-slow.
        by_size = {volumes.gifts: bench_scale.scale_rows(local)}
        bench_scale.print_scale(by_size[volumes.gifts], volumes.gifts + volumes.interests)

    print()
    print(say("bench.casework_table_head"))
    for what, ours, obvious in rows:
        theirs = f"{obvious:.2f} s" if obvious is not None else "-"
        ratio = f"{obvious / ours:.0f}x" if obvious is not None and ours else "-"
        print(f"| {what} | {ours:.2f} s | {theirs} | {ratio} |")

    for gifts in sorted(set(sizes) - {volumes.gifts}):
        by_size[gifts] = _scale_at(settings, dataclasses.replace(volumes, gifts=gifts),
                                   database_url)
    bench_scale.print_growth(by_size)
    return 0


def _scale_at(settings: Settings, volumes: Volumes, database_url: str | None) -> list[Any]:
    """The scale figures (Probity's way only) on a fresh year of `volumes`."""
    from bot.casework import bench_scale
    from bot.store import Store

    with tempfile.TemporaryDirectory(prefix="probity-bench-") as home:
        local = dataclasses.replace(settings, home=Path(home), database_url=database_url)
        store = Store.open(local)
        with store.transaction() as session:
            _empty(session)  # a named database holds the previous size's year
            made, seconds = _timed(lambda: seed_year(session, volumes))
        print(say("bench.casework_seeded", staff=made["staff"], suppliers=made["suppliers"],
                  gifts=made["gifts"], interests=made["interests"], seconds=seconds,
                  backend=store.engine.dialect.name))
        rows = bench_scale.scale_rows(local, old=False)
        bench_scale.print_scale(rows, volumes.gifts + volumes.interests)
        store.engine.dispose()
    return rows


def _empty(session: Session) -> None:
    """Remove what seed_year inserted (and nothing else: the audit log is append-only)."""
    from sqlalchemy import delete

    for model in (Decision, StatusChange, Declaration, Supplier, Person):
        session.execute(delete(model))


def _supplier_matching_seconds(store: Any, rules: CaseworkRules) -> float:
    """Time the indexed supplier matching alone, on the gifts the checks read."""
    from bot.casework.checks import CheckInputs, match_suppliers
    from bot.casework.queries import list_declarations

    with store.session() as session:
        gifts = list(list_declarations(session, kinds=[DeclarationKind.GIFT_HOSPITALITY]))
        inputs = CheckInputs(gifts, [], list(session.scalars(select(Supplier))))
        _, seconds = _timed(lambda: match_suppliers(inputs, rules))
    return seconds
