"""The dump-ordering attack of issue 13, on both backends.

An insider with a dump of both databases sorts every row by whatever orders it: PostgreSQL's
xmin (one transaction counter for the whole cluster; here the vault is even another schema
of the same database, worse than production) and ctid, SQLite's rowid, and the ids. Each
reporter-side write (a report, a reporter's message, a failed receipt check) is placed
between the timestamped declarations whose keys bracket it. Before the vault, that put a
report inside a 45-second window containing the moment it was filed. Now every write reaches
the vault in the next day's batch, so no bracket both contains the real moment and is
narrower than a day; the only true statement left is the date, which is stored anyway.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from fixtures.casework import factory
from sqlalchemy import Engine, inspect, text
from test_report_support import FakeClock, reporting_context, sample_content

from bot.config import Settings
from bot.reporting import add_reporter_message, open_report, submit_anonymous_report
from bot.reporting.vault.batch import apply_batch_if_due, batch_moment
from bot.store import Store
from bot.store.audit import record_event
from bot.store.models import Declaration, DeclarationStatus, Person
from bot.store.references import ReferenceKind, allocate_reference

GAP = dt.timedelta(seconds=45)
DAY = dt.timedelta(days=1)


@dataclass
class Row:
    table: str
    keys: dict[str, Any]  # ordering keys an insider can read: xmin, ctid, rowid, id
    values: dict[str, Any]


def _dump(engine: Engine) -> list[Row]:
    """Every row of every table, with the backend's hidden ordering columns."""
    rows = []
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            hidden = ("xmin::text::bigint AS _xmin, ctid::text AS _ctid" if postgres
                      else "rowid AS _rowid")
            for found in connection.execute(text(f'SELECT {hidden}, * FROM "{table}"')).mappings():
                keys = {name[1:]: found[name] for name in found if name.startswith("_")}
                if "ctid" in keys:
                    page, item = keys["ctid"].strip("()").split(",")
                    keys["ctid"] = (int(page), int(item))
                values = {name: found[name] for name in found if not name.startswith("_")}
                if isinstance(values.get("id"), int):
                    keys["id"] = values["id"]
                rows.append(Row(table, keys, values))
    return rows


def _declare(store: Store, person_id: int, at: dt.datetime) -> None:
    with store.transaction() as session:
        person = session.get(Person, person_id)
        declaration = Declaration(
            reference=allocate_reference(session, ReferenceKind.GIFT_HOSPITALITY, at.year),
            kind="gift_hospitality", workflow="gift_hospitality", person_id=person_id,
            answers={}, submitted_at=at, status=DeclarationStatus.SUBMITTED)
        session.add(declaration)
        session.flush()
        record_event(session, f"person:{person.id}", "declaration.filed", declaration.reference,
                     at=at)


def _bracket(target: dict[str, Any], key: str, declarations: list[Row]
             ) -> tuple[dt.datetime, dt.datetime] | None:
    """The attack: the latest declaration ordered before the row, the earliest after."""
    before = [d.values["submitted_at"] for d in declarations if d.keys.get(key) is not None
              and d.keys[key] < target[key]]
    after = [d.values["submitted_at"] for d in declarations if d.keys.get(key) is not None
             and d.keys[key] > target[key]]
    if not before or not after:
        return None
    return _utc(max(before)), _utc(min(after))


def _utc(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# The attack reads best as one story from a day's writes to the dump; hence its length.
def test_a_dump_of_both_databases_cannot_place_a_report_within_a_day(  # noqa: C901
    store: Store, settings: Settings
) -> None:
    clock = FakeClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    context = reporting_context(settings, clock)
    with store.transaction() as session:
        declarant = factory.person(session, "pc.jones", "Chris Jones").id
    truth: dict[str, list[dt.datetime]] = {}  # reference -> real moments of its writes
    filed: list[tuple[str, str]] = []
    # A working day: a declaration, then a reporter's act, 45 seconds apart, alternating.
    for step in range(24):
        _declare(store, declarant, clock.now)
        clock.advance(seconds=GAP.total_seconds())
        with store.transaction() as session:
            if step % 3 == 0 or not filed:
                submission = submit_anonymous_report(session, context, sample_content())
                filed.append((submission.reference, submission.receipt))
                truth[submission.reference] = [clock.now]
            elif step % 3 == 1:
                reference, receipt = filed[-1]
                add_reporter_message(session, context, reference, receipt, "More detail.")
                truth[reference].append(clock.now)
            else:
                reference, _ = filed[-1]
                open_report(session, context, reference, "9" * 20)
                truth[reference].append(clock.now)
        clock.advance(seconds=GAP.total_seconds())
    # A dump taken the same afternoon: the vault holds nothing of today's acts at all.
    vault_rows = [row for row in _dump(store.vault_engine) if row.table in  # type: ignore[arg-type]
                  ("reports", "report_messages", "receipt_failures")]
    assert vault_rows == []
    # The next morning declarations go on either side of the batch's random moment.
    moment = batch_moment(context, dt.date(2026, 3, 3))
    clock.now = moment - dt.timedelta(minutes=3)
    for _ in range(3):
        _declare(store, declarant, clock.now)
        clock.advance(minutes=1)
    clock.now = moment
    assert apply_batch_if_due(store, context, random.Random(11)) is not None
    for _ in range(3):
        clock.advance(minutes=1)
        _declare(store, declarant, clock.now)

    main_rows, vault_rows = _dump(store.engine), _dump(store.vault_engine)  # type: ignore[arg-type]
    declarations = [row for row in main_rows if row.table == "declarations"]
    reports = {row.values["id"]: row for row in vault_rows if row.table == "reports"}
    targets: list[tuple[Row, list[dt.datetime]]] = []
    for row in vault_rows:
        if row.table == "reports":
            targets.append((row, truth[row.values["reference"]][:1]))
        elif row.table == "report_messages":
            reference = reports[row.values["report_id"]].values["reference"]
            targets.append((row, truth[reference][1:]))
        elif row.table == "receipt_failures":
            targets.append((row, [moment for times in truth.values() for moment in times[1:]]))
    assert len(targets) >= len(filed) * 2

    # 1. Keys shared with declarations: PostgreSQL's xmin counts every transaction in the
    #    cluster; ids and SQLite rowids are compared too, as an insider would try.
    shared = ["xmin", "id"] if store.dialect == "postgresql" else ["rowid", "id"]
    narrowed, bracketed = [], 0
    for row, moments in targets:
        for key in shared:
            bracket = _bracket(row.keys, key, declarations)
            if bracket is None:
                continue
            bracketed += 1
            low, high = bracket
            if high - low < DAY and any(low <= moment <= high for moment in moments):
                narrowed.append((row.table, key, high - low))
    if store.dialect == "postgresql":
        # xmin still brackets every vault row tightly, but around the batch's moment the
        # next day: it dates the batch, never the reporter.
        assert bracketed >= len(targets)
    assert narrowed == []

    # 2. Keys that order rows within a vault table (ctid, rowid, id): the order of the
    #    reports there is not the order they were filed in.
    filed_order = [reference for reference, _ in filed]
    for key in ("ctid", "rowid", "id"):
        ranked = [row.values["reference"] for row in sorted(
            (row for row in vault_rows if row.table == "reports" and key in row.keys),
            key=lambda row: row.keys[key])]
        if ranked:
            assert ranked != filed_order and ranked != filed_order[::-1], key

    # 3. The audit log is shared with declarations and numbered: reporter-side events and
    #    report.received come after the batch, dated to the day, so they bracket nothing.
    filed_events = [row for row in main_rows if row.table == "audit_events"
                    and row.values["action"] == "declaration.filed"]
    for row in main_rows:
        if row.table == "audit_events" and row.values["subject"] in truth:
            bracket = _bracket({"id": row.values["id"]}, "id", [
                Row(event.table, {"id": event.values["id"]},
                    {"submitted_at": event.values["at"]}) for event in filed_events])
            if bracket is not None:
                low, high = bracket
                assert not (high - low < DAY and any(
                    low <= moment <= high for moment in truth[row.values["subject"]]))

    # What a dump does say, truly: the day, and nothing finer, anywhere in the vault.
    for row in vault_rows:
        for name, value in row.values.items():
            assert not isinstance(value, dt.datetime), (row.table, name)
            if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" \
                    and value[13:14] == ":":
                raise AssertionError(f"{row.table}.{name} holds a time: {value}")
    received = {row.values["received_on"] for row in vault_rows if row.table == "reports"}
    assert {str(day) for day in received} == {"2026-03-02"}


def test_after_a_batch_the_vaults_log_and_free_pages_keep_nothing(
    store: Store, settings: Settings
) -> None:
    clock = FakeClock()
    context = reporting_context(settings, clock)
    with store.transaction() as session:
        submission = submit_anonymous_report(session, context, sample_content())
    clock.now = batch_moment(context, dt.date(2026, 3, 3))
    apply_batch_if_due(store, context, random.Random(5))
    engine = store.vault_engine
    assert engine is not None
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
            # The WAL was checkpointed and truncated: no frame keeps the batch's order.
            path = engine.url.database
            import os

            assert not os.path.exists(f"{path}-wal") or os.path.getsize(f"{path}-wal") == 0
        else:
            dead = connection.execute(text(
                "SELECT coalesce(sum(n_dead_tup), 0) FROM pg_stat_user_tables "
                "WHERE schemaname = current_schema()")).scalar()
            assert dead == 0
    # The main store never saw the report: not its reference, in any table.
    assert all(submission.reference not in str(row.values) for row in _dump(store.engine))
