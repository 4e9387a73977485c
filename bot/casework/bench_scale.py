"""The console's scale figures for `probity bench casework`: a console page, a quarter's
publication and the cross-checks, each done Probity's way (filtered and paged in SQL) and
the old way (every record loaded, then filtered in Python), in the same run.

Each measurement runs in a fresh interpreter so its peak memory is its own: the figure is
the process's peak resident size, imports included (about 100 MB of it is Python,
SQLAlchemy and the rest before any record is read).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import resource
import time
from collections.abc import Callable
from typing import Any

from bot.config import Settings
from bot.messages import say

AS_OF = dt.date(2026, 12, 31)
QUARTER = "2026Q3"


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


def publish_sql(settings: Settings) -> Callable[[], int]:
    from bot.casework.publication import PublicationConfig, parse_quarter, public_entries

    config = PublicationConfig.load(settings.knowledge_dir / "publication.yaml")
    store = _store(settings)

    def publish() -> int:
        with store.session() as session:
            return len(public_entries(session, config, parse_quarter(QUARTER, config.quarters)))
    return publish


def publish_old(settings: Settings) -> Callable[[], int]:
    """Every gift with its decisions and history, the quarter picked out in Python."""
    from bot.casework.publication import (
        PublicationConfig,
        PublicEntry,
        _field,
        parse_quarter,
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
            return len([PublicEntry({c.field: _field(d, c.field, config)
                                     for c in config.columns}, register_date(d))
                        for d in found])
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


def _measure(work: Callable[[Settings], Callable[[], int]], settings: Settings,
             results: Any) -> None:  # pragma: no cover - runs in a child process
    run = work(settings)  # opening the store and importing are not what is timed
    start = time.perf_counter()
    made = run()
    results.put((time.perf_counter() - start, _peak_mb(), made))


def measured(work: Callable[[Settings], Callable[[], int]], settings: Settings
             ) -> tuple[float, float, int]:
    """(seconds, peak MB, result) for `work` run in a fresh interpreter."""
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    child = spawn.Process(target=_measure, args=(work, settings, results))
    child.start()
    seconds, megabytes, made = results.get()
    child.join()
    return float(seconds), float(megabytes), int(made)


def scale_rows(settings: Settings, slow: bool = True
               ) -> list[tuple[str, float, float, float | None, float | None]]:
    """(what, seconds, MB, old seconds, old MB) for the page, the publication and the checks."""
    rows = []
    for what, ours, old in ((say("casework_bench.queue_page"), queue_page_sql, queue_page_old),
                            (say("casework_bench.publish", quarter=QUARTER), publish_sql,
                             publish_old),
                            (say("casework_bench.checks"), checks_sql, checks_old)):
        seconds, megabytes, _ = measured(ours, settings)
        old_seconds = old_megabytes = None
        if slow:
            old_seconds, old_megabytes, _ = measured(old, settings)
        rows.append((what, seconds, megabytes, old_seconds, old_megabytes))
    return rows
