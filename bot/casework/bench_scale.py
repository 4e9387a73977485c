"""The console's scale figures for `probity bench casework`: the console's pages, a
quarter's publication and the cross-checks, each done Probity's way (filtered and paged in
SQL) against its target and, in the same run, the old way (every record loaded, then
filtered in Python).

Each measurement runs in a fresh interpreter so its peak memory is its own: the figure is
the process's peak resident size, imports included (about 100 MB of it is Python,
SQLAlchemy and the rest before any record is read). Each also gives its CPU time and the
machine's load average when it ended: the machine is shared, and on a loaded one the
wall-clock time is the CPU time stretched by everyone else's work.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import queue
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.config import Settings
from bot.messages import say

AS_OF = dt.date(2026, 12, 31)
QUARTER = "2026Q3"
#: Issue 16's targets at 50,000 declarations: seconds, and the checks' peak memory.
PAGE_TARGET_S, PUBLISH_TARGET_S, CHECKS_TARGET_S, CHECKS_TARGET_MB = 0.3, 2.0, 10.0, 500.0


def _peak_mb() -> float:
    """This process's peak resident size. VmHWM, not getrusage's ru_maxrss: Linux carries
    ru_maxrss over an exec, so a spawned child would report its parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _store(settings: Settings) -> Any:
    from bot.store import Store

    return Store.open(settings, upgrade=False)


def queue_page_sql(settings: Settings) -> Callable[[], int]:
    """What the console's queue page reads: one filtered page, its count and its assignees,
    all in SQL (the page's own queries; rendering it is the web layer's, timed by its tests).
    """
    from bot.casework.assignments import assignees
    from bot.casework.queries import OPEN_STATUSES, DeclarationSearch, search_declarations

    store = _store(settings)
    search = DeclarationSearch(statuses=tuple(sorted(OPEN_STATUSES)), person="staff")

    def page() -> int:
        with store.session() as session:
            found = search_declarations(session, search, page=3, per_page=25)
            owners = assignees(session, [d.reference for d in found.declarations])
            return len(found.declarations) + len(owners) + found.total
    page()  # a running server's connection and caches are warm
    return page


def queue_page_old(settings: Settings) -> Callable[[], int]:
    """The same page's records the old way: every open declaration loaded, then a slice."""
    from bot.casework.queries import OPEN_STATUSES, list_declarations

    store = _store(settings)

    def page() -> int:
        with store.session() as session:
            found = [d for d in list_declarations(session, statuses=sorted(OPEN_STATUSES))
                     if "staff" in d.person.display_name.lower()]
            return len(found[50:75])
    page()  # warmed like the page above
    return page


def register_page_sql(settings: Settings) -> Callable[[], int]:
    """The console's register page: the newest 50 gifts of a year, counted, page 2."""
    from bot.casework.queries import DeclarationSearch, search_declarations
    from bot.store.models import DeclarationKind

    store = _store(settings)
    search = DeclarationSearch(kinds=(DeclarationKind.GIFT_HOSPITALITY,),
                               start=dt.date(2026, 1, 1), end=AS_OF)

    def page() -> int:
        with store.session() as session:
            found = search_declarations(session, search, page=2, per_page=50,
                                        oldest_first=False)
            return len([d.person.display_name for d in found.declarations]) + found.total
    page()
    return page


def case_page_sql(settings: Settings) -> Callable[[], int]:
    """What the console's case page reads for one gift: the record, its declarant,
    decisions, history, appeals, replaced record, assignee and its cross-check findings."""
    from sqlalchemy import func, select

    from bot.casework.assignments import assignees
    from bot.casework.checks import findings_for
    from bot.casework.queries import appeals_for, open_appeal, predecessor
    from bot.casework.rules import CaseworkRules
    from bot.store.models import Declaration, DeclarationKind

    store, rules = _store(settings), CaseworkRules.from_settings(settings)
    with store.session() as session:
        middle = session.scalar(select(func.count(Declaration.id)).where(
            Declaration.kind == DeclarationKind.GIFT_HOSPITALITY)) or 1
        reference = session.scalar(select(Declaration.reference).where(
            Declaration.kind == DeclarationKind.GIFT_HOSPITALITY)
            .order_by(Declaration.id).offset(middle // 2).limit(1))
    assert reference is not None

    def page() -> int:
        with store.session() as session:
            # By the stored reference: the generated ones are not in the canonical form
            # get_declaration reads a typed one into, and the lookup is the same.
            declaration = session.scalars(select(Declaration).where(
                Declaration.reference == reference)).one()
            read = [declaration.person, declaration.line_manager, *declaration.history,
                    *[d.decided_by for d in declaration.decisions],
                    *appeals_for(session, declaration), open_appeal(session, declaration),
                    predecessor(session, declaration)]
            found = findings_for(session, rules, declaration, AS_OF)
            owners = assignees(session, [declaration.reference])
            return len(read) + len(found) + len(owners)
    page()
    return page


def publish_sql(settings: Settings) -> Callable[[], int]:
    """`register publish` for a quarter: its entries with the console's exclusions, written
    as the HTML page and the CSV."""
    import io

    from bot.casework.publication import (
        PublicationConfig,
        parse_quarter,
        public_entries,
        render_public_html,
        write_public_csv,
    )
    from bot.casework.publishing import exclusions_for

    config = PublicationConfig.load(settings.knowledge_dir / "publication.yaml")
    quarter = parse_quarter(QUARTER, config.quarters)
    store = _store(settings)

    def publish() -> int:
        with store.session() as session:
            entries = public_entries(session, config, quarter, exclusions_for(session, quarter))
        write_public_csv(entries, config, io.StringIO())
        render_public_html(entries, config, quarter)
        return len(entries)
    return publish


def publish_old(settings: Settings) -> Callable[[], int]:
    """Every gift with its decisions and history, the quarter picked out in Python."""
    import io

    from bot.casework.publication import (
        PublicationConfig,
        PublicEntry,
        _field,
        parse_quarter,
        render_public_html,
        write_public_csv,
    )
    from bot.casework.queries import list_declarations, register_date
    from bot.store.models import DeclarationKind

    config = PublicationConfig.load(settings.knowledge_dir / "publication.yaml")
    quarter = parse_quarter(QUARTER, config.quarters)
    store = _store(settings)

    def publish() -> int:
        with store.session() as session:
            found = [d for d in list_declarations(session,
                                                  kinds=[DeclarationKind.GIFT_HOSPITALITY])
                     if quarter.start <= register_date(d) <= quarter.end
                     and d.status not in config.withhold_statuses]
            entries = [PublicEntry({c.field: _field(d, c.field, config)
                                    for c in config.columns}, register_date(d))
                       for d in found]
        write_public_csv(entries, config, io.StringIO())
        render_public_html(entries, config, quarter)
        return len(entries)
    return publish


def checks_sql(settings: Settings) -> Callable[[], int]:
    from bot.casework.checks import run_checks
    from bot.casework.rules import CaseworkRules

    store, rules = _store(settings), CaseworkRules.from_settings(settings)

    def check() -> int:
        with store.session() as session:
            return len(run_checks(session, rules, AS_OF))
    return check


def checks_old(settings: Settings) -> Callable[[], int]:
    """Every declaration loaded with decisions and histories, donors grouped force-wide."""
    from bot.casework.rules import CaseworkRules

    store, rules = _store(settings), CaseworkRules.from_settings(settings)

    def check() -> int:
        with store.session() as session:
            return _old_checks(session, rules)
    return check


def _old_checks(session: Any, rules: Any) -> int:
    """The supplier and repeated-offer checks as they were: the two that dominate the cost."""
    from collections import defaultdict

    from sqlalchemy import select

    from bot.casework import checks
    from bot.casework.queries import CLOSED_STATUSES, list_declarations, register_date
    from bot.store.models import DeclarationKind, Supplier

    live = [d for d in list_declarations(session) if d.status not in CLOSED_STATUSES]
    gifts = [d for d in live if d.kind == DeclarationKind.GIFT_HOSPITALITY]
    suppliers = list(session.scalars(select(Supplier).order_by(Supplier.id)))
    found = len(checks.supplier_gifts(checks.CheckInputs(gifts, [], suppliers), rules))
    since = AS_OF - dt.timedelta(days=rules.repeat_window_days)
    recent = [g for g in gifts if since <= register_date(g) <= AS_OF]
    for group in checks._donor_groups_indexed(recent, rules.match_threshold):
        by_person: dict[int, int] = defaultdict(int)
        for gift in group:
            by_person[gift.person_id] += 1
        found += sum(1 for n in by_person.values() if n >= rules.repeat_person_threshold)
    return found


@dataclass(frozen=True)
class Measured:
    """One timing in a fresh process: wall-clock and CPU seconds (every thread), peak MB,
    what the work returned, and the 1-minute load average when it finished."""

    seconds: float
    cpu: float
    megabytes: float
    made: int
    load: float


def _measure(work: Callable[[Settings], Callable[[], int]], settings: Settings,
             results: Any) -> None:  # pragma: no cover - runs in a child process
    run = work(settings)  # opening the store and importing are not what is timed
    start, cpu = time.perf_counter(), time.process_time()
    made = run()
    results.put((time.perf_counter() - start, time.process_time() - cpu, _peak_mb(), made,
                 os.getloadavg()[0]))


def measured(work: Callable[[Settings], Callable[[], int]], settings: Settings) -> Measured:
    """`work` timed in a fresh interpreter."""
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    child = spawn.Process(target=_measure, args=(work, settings, results))
    child.start()
    while True:
        try:
            seconds, cpu, megabytes, made, load = results.get(timeout=5)
            break
        except queue.Empty:
            if not child.is_alive():  # it failed, and said why on stderr
                raise RuntimeError(say("casework_bench.child_failed",
                                       work=work.__name__, code=child.exitcode)) from None
    child.join()
    return Measured(float(seconds), float(cpu), float(megabytes), int(made), float(load))


@dataclass(frozen=True)
class ScaleRow:
    """One figure of the scale table: Probity's way, its target, and the old way."""

    what: str
    ours: Measured
    target_s: float
    target_mb: float | None = None
    old: Measured | None = None

    def met(self, seconds: float) -> bool:
        return seconds < self.target_s and (
            self.target_mb is None or self.ours.megabytes < self.target_mb)


#: (message key, Probity's way, the old way or None, target seconds, target MB or None)
WORKS: tuple[tuple[str, Callable[[Settings], Callable[[], int]],
                   Callable[[Settings], Callable[[], int]] | None, float, float | None],
             ...] = (
    ("casework_bench.queue_page", queue_page_sql, queue_page_old, PAGE_TARGET_S, None),
    ("casework_bench.register_page", register_page_sql, None, PAGE_TARGET_S, None),
    ("casework_bench.case_page", case_page_sql, None, PAGE_TARGET_S, None),
    ("casework_bench.publish", publish_sql, publish_old, PUBLISH_TARGET_S, None),
    ("casework_bench.checks", checks_sql, checks_old, CHECKS_TARGET_S, CHECKS_TARGET_MB),
)


def scale_rows(settings: Settings, old: bool = True) -> list[ScaleRow]:
    """The console's pages, the publication and the checks, each against its target, and
    (with `old`) the old way too."""
    rows = []
    for key, ours, before, target_s, target_mb in WORKS:
        rows.append(ScaleRow(say(key, quarter=QUARTER), measured(ours, settings), target_s,
                             target_mb,
                             measured(before, settings) if old and before else None))
    return rows


def print_scale(rows: list[ScaleRow], records: int) -> None:
    print("\n" + say("casework_bench.scale_heading", records=records,
                     cpus=os.cpu_count() or 1))
    print(say("casework_bench.scale_header"))
    for row in rows:
        ours, old = row.ours, row.old
        target = say("casework_bench.target_seconds", seconds=row.target_s) + (
            say("casework_bench.target_memory", megabytes=row.target_mb)
            if row.target_mb else "")
        before = say("casework_bench.old_way", seconds=old.seconds, megabytes=old.megabytes,
                     ratio=old.seconds / ours.seconds if ours.seconds else 0.0) \
            if old else "-"
        print(say("casework_bench.scale_row", what=row.what, seconds=ours.seconds,
                  cpu=ours.cpu, megabytes=ours.megabytes, target=target,
                  met=say("casework_bench.met" if row.met(ours.seconds) else
                          "casework_bench.not_met_cpu" if row.met(ours.cpu) else
                          "casework_bench.not_met"),
                  old=before, load=ours.load))


def print_growth(by_size: dict[int, list[ScaleRow]]) -> None:
    """How each figure grows with the number of declarations."""
    sizes = sorted(by_size)
    if len(sizes) < 2:
        return
    print("\n" + say("casework_bench.growth_heading"))
    print("| | " + " | ".join(f"{size:,}" for size in sizes) + " |")
    print("|---" * (len(sizes) + 1) + "|")
    for number, row in enumerate(by_size[sizes[0]]):
        cells = [by_size[size][number].ours for size in sizes]
        print(f"| {row.what} | " + " | ".join(
            say("casework_bench.growth_cell", seconds=m.seconds, cpu=m.cpu,
                megabytes=m.megabytes, load=m.load) for m in cells) + " |")
