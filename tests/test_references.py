"""References are human-friendly and never handed out twice, even to concurrent writers."""

from __future__ import annotations

import multiprocessing
import re
import threading

import pytest

from bot.store import Store
from bot.store.database import create_store_engine
from bot.store.references import (
    ReferenceKind,
    allocate_reference,
    format_reference,
    normalise_reference,
)


def test_references_count_up_per_kind_and_year(store: Store) -> None:
    with store.transaction() as session:
        issued = [
            allocate_reference(session, ReferenceKind.GIFT_HOSPITALITY, 2026),
            allocate_reference(session, ReferenceKind.GIFT_HOSPITALITY, 2026),
            allocate_reference(session, ReferenceKind.BUSINESS_INTEREST, 2026),
            allocate_reference(session, ReferenceKind.GIFT_HOSPITALITY, 2027),
            allocate_reference(session, ReferenceKind.REPORT, 2026),
        ]
    assert issued == ["GH-2026-0001", "GH-2026-0002", "BI-2026-0001", "GH-2027-0001",
                      "R-2026-0001"]


def test_a_rolled_back_allocation_is_not_reused_as_a_duplicate(store: Store) -> None:
    with store.transaction() as session:
        first = allocate_reference(session, ReferenceKind.NOTIFIABLE_ASSOCIATION, 2026)
    with pytest.raises(RuntimeError), store.transaction() as session:
        allocate_reference(session, ReferenceKind.NOTIFIABLE_ASSOCIATION, 2026)
        raise RuntimeError("filing failed")
    with store.transaction() as session:
        after = allocate_reference(session, ReferenceKind.NOTIFIABLE_ASSOCIATION, 2026)
    assert first == "NA-2026-0001"
    assert after == "NA-2026-0002"


def test_numbers_widen_past_four_digits() -> None:
    assert format_reference(ReferenceKind.REPORT, 2026, 42) == "R-2026-0042"
    assert format_reference(ReferenceKind.REPORT, 2026, 12345) == "R-2026-12345"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [("gh-2026-0042", "GH-2026-0042"), ("GH 2026 42", "GH-2026-0042"),
     (" r-2026-7 ", "R-2026-0007"), ("BI/2026/0100", "BI-2026-0100"),
     ("hello", None), ("GH-26-1", None), ("XX-2026-0001", None)],
)
def test_references_are_recognised_as_people_type_them(typed: str, canonical: str | None) -> None:
    assert normalise_reference(typed) == canonical


def _allocate_many(url: str, count: int, results: list[str] | None = None) -> list[str]:
    store = Store(create_store_engine(url))
    issued = []
    for _ in range(count):
        with store.transaction() as session:
            issued.append(allocate_reference(session, ReferenceKind.GIFT_HOSPITALITY, 2026))
    store.dispose()
    if results is not None:
        results.extend(issued)
    return issued


def _assert_unique_and_contiguous(issued: list[str], expected_count: int) -> None:
    assert len(issued) == expected_count
    assert len(set(issued)) == expected_count, "a reference was handed out twice"
    numbers = sorted(int(re.match(r"GH-2026-(\d+)", ref).group(1)) for ref in issued)
    assert numbers == list(range(1, expected_count + 1))


def test_concurrent_processes_never_share_a_reference(store: Store, database_url: str) -> None:
    """Separate processes, each with its own connection pool, file at the same time."""
    workers, each = 6, 15
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        batches = pool.starmap(_allocate_many, [(database_url, each)] * workers)
    _assert_unique_and_contiguous([ref for batch in batches for ref in batch], workers * each)


def test_concurrent_threads_never_share_a_reference(store: Store, database_url: str) -> None:
    results: list[str] = []
    threads = [threading.Thread(target=_allocate_many, args=(database_url, 10, results))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _assert_unique_and_contiguous(results, 80)
