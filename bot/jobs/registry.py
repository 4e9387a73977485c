"""The registry a worker runs from: handlers by job kind, schedules, and how each surface
delivers notices. A plain object the composition root fills; nothing registers itself on
import, so what a process runs is whatever its root put here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bot.jobs.queue import JobView
from bot.jobs.timing import Timing
from bot.messages import say
from bot.store.models import Notice, Person

#: Runs inside the transaction that marks the job done: its writes commit with it.
TransactionalHandler = Callable[[Session, JobView], None]
#: Talks to the outside world (Slack); runs outside any transaction, which it opens itself.
DeliveryHandler = Callable[[JobView], None]
#: Sends a new notice on a person's surface, in the transaction that created it.
NoticeDelivery = Callable[[Session, Notice, Person], None]


#: Adds a package's or a surface's handlers to a registry (given to build_registry).
RegistryPlugin = Callable[["Registry"], None]


@dataclass(frozen=True)
class HandlerEntry:
    kind: str
    run: Callable[..., None]
    in_transaction: bool
    max_attempts: int | None = None


@dataclass(frozen=True)
class Schedule:
    """A named job that repeats: `name` says what it does, `kind` is the handler it runs."""

    name: str
    kind: str
    timing: Timing
    payload: Mapping[str, Any] = field(default_factory=dict)


class Registry:
    """Handlers, schedules and notice deliveries; adding a name twice is a mistake."""

    def __init__(self) -> None:
        self._handlers: dict[str, HandlerEntry] = {}
        self._schedules: dict[str, Schedule] = {}
        self._deliveries: dict[str, NoticeDelivery] = {}

    def handle(self, kind: str, run: TransactionalHandler, *,
               max_attempts: int | None = None) -> None:
        """Run jobs of `kind` with run(session, job) in the transaction that finishes them."""
        self._add(HandlerEntry(kind, run, True, max_attempts))

    def deliver(self, kind: str, run: DeliveryHandler, *, max_attempts: int | None = None
                ) -> None:
        """Run jobs of `kind` with run(job) outside a transaction (calls to other systems,
        which must not hold the database's locks while they wait)."""
        self._add(HandlerEntry(kind, run, False, max_attempts))

    def schedule(self, name: str, kind: str, timing: str | Timing,
                 payload: Mapping[str, Any] | None = None) -> None:
        """Enqueue a `kind` job once per period of `timing` (see bot.jobs.timing)."""
        if name in self._schedules:
            raise ValueError(say("jobs.registered_twice", what=name))
        parsed = timing if isinstance(timing, Timing) else Timing.parse(timing)
        self._schedules[name] = Schedule(name, kind, parsed, dict(payload or {}))

    def retime(self, name: str, timing: str | Timing | None) -> None:
        """Change a schedule's timing (settings), or remove it with None."""
        if name not in self._schedules:
            raise KeyError(name)
        if timing is None:
            del self._schedules[name]
            return
        parsed = timing if isinstance(timing, Timing) else Timing.parse(timing)
        old = self._schedules[name]
        self._schedules[name] = Schedule(name, old.kind, parsed, old.payload)

    def deliver_notices(self, surface: str, delivery: NoticeDelivery) -> None:
        """How notices reach people on `surface` (the terminal needs none: it shows them
        at the start of the next session)."""
        if surface in self._deliveries:
            raise ValueError(say("jobs.registered_twice", what=surface))
        self._deliveries[surface] = delivery

    def handler(self, kind: str) -> HandlerEntry | None:
        return self._handlers.get(kind)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self._handlers)

    @property
    def schedules(self) -> tuple[Schedule, ...]:
        """Every schedule, including any whose kind has no handler in this process."""
        return tuple(self._schedules.values())

    @property
    def active_schedules(self) -> tuple[Schedule, ...]:
        """The schedules this process can run (its kind has a handler here)."""
        return tuple(s for s in self._schedules.values() if s.kind in self._handlers)

    def notice_delivery(self, surface: str) -> NoticeDelivery | None:
        return self._deliveries.get(surface)

    def _add(self, entry: HandlerEntry) -> None:
        if entry.kind in self._handlers:
            raise ValueError(say("jobs.registered_twice", what=entry.kind))
        self._handlers[entry.kind] = entry
