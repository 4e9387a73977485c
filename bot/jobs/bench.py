"""`probity bench jobs`: how many jobs a second the runner finishes, on SQLite and
PostgreSQL, with one and two workers, beside the same work done inline without a queue."""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.jobs.queue import JobView, enqueue
from bot.jobs.registry import Registry
from bot.jobs.worker import Worker
from bot.messages import say
from bot.store import Store
from bot.store.database import create_store_engine
from bot.store.models import ProcessedDelivery

KIND = "bench.effect"


def _effect(session: Session, key: str) -> None:
    # The work each job does: one small insert, like marking a delivery.
    session.add(ProcessedDelivery(key=key))


def run_bench(largest: int, batch: int, postgres_url: str | None, out: TextIO) -> None:
    sizes = sorted({max(largest // 4, 1), largest})
    print(say("jobs.bench_heading", jobs=" and ".join(map(str, sizes)), batch=batch), file=out)
    with tempfile.TemporaryDirectory() as directory:
        _measure("sqlite", lambda: _sqlite_store(Path(directory)), sizes, batch, out)
    if postgres_url:
        with _postgres_schema(postgres_url) as url:
            _measure("postgresql", lambda: _store(url), sizes, batch, out)
    else:
        print(say("jobs.bench_no_postgres"), file=out)


def _measure(backend: str, open_store: Callable[[], Store], sizes: list[int], batch: int,
             out: TextIO) -> None:
    store = open_store()
    try:
        for size in sizes:
            _clear(store)
            started = time.perf_counter()
            for number in range(size):
                with store.transaction() as session:
                    _effect(session, f"inline:{number}")
            seconds = time.perf_counter() - started
            print(say("jobs.bench_inline", backend=backend, jobs=size, seconds=seconds,
                      rate=size / seconds), file=out)
            for workers in (1, 2):
                _clear(store)
                with store.transaction() as session:
                    for number in range(size):
                        enqueue(session, KIND, {"n": number})
                seconds = _drain(store, workers, batch)
                print(say("jobs.bench_row", backend=backend, workers=workers, jobs=size,
                          seconds=seconds, rate=size / seconds), file=out)
    finally:
        store.dispose()


def _drain(store: Store, workers: int, batch: int) -> float:
    registry = Registry()
    registry.handle(KIND, lambda session, job: _effect(session, f"job:{_number(job)}"))
    runners = [Worker(store, registry, batch=batch) for _ in range(workers)]
    threads = [threading.Thread(target=runner.run_until_idle) for runner in runners]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def _number(job: JobView) -> int:
    return int(job.payload["n"])


def _clear(store: Store) -> None:
    with store.transaction() as session:
        session.execute(text("DELETE FROM jobs"))
        session.execute(text("DELETE FROM processed_deliveries"))


def _store(url: str) -> Store:
    store = Store(create_store_engine(url))
    store.upgrade()
    return store


def _sqlite_store(directory: Path) -> Store:
    return _store(f"sqlite:///{directory / 'bench.sqlite3'}")


@contextmanager
def _postgres_schema(base_url: str) -> Iterator[str]:
    """A schema of its own for the run, dropped afterwards."""
    schema = f"probity_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
