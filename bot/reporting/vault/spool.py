"""Reporter-side writes waiting for the next batch: sealed files under PROBITY_HOME.

A submission, message, answer, attachment, reveal or failed receipt check is not written to any
database when it happens: every database write carries an order (row ids, PostgreSQL's
cluster-wide transaction ids and row positions, SQLite's WAL) that sits next to timestamped
declarations and dates it. Instead it becomes one file here, sealed under the report key,
with a random name and its modification time set back to midnight of its day; the batch
(bot.reporting.vault.batch) writes the day's files into the vault together, in random order,
the next day. The reporter reads their own waiting writes from here (see reporter.py).

Someone with a shell on the server can watch this folder as it changes; that is full trust
in any case (docs/reporting.md). Processes that take reporters' turns must share it, as they
share the report key.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.reporting.sealing import Sealer, SealingError

SPOOL_DIR = "report-spool"
_SUFFIX = ".sealed"
#: Failed receipt checks are named apart, so a reporter's lookup never opens them: a flood
#: of junk attempts must not slow down (or crowd out) a real reporter.
_FAILURE_PREFIX = "failure-"  # never the start of a hex id

#: What a spooled write does when applied.
SUBMISSION = "submission"
MESSAGE = "message"
REVEAL = "reveal"
FAILURE = "failure"
ATTACHMENT = "attachment"


@dataclass(frozen=True)
class SpoolEntry:
    entry_id: str
    kind: str
    day: dt.date
    reference: str | None
    body: dict[str, Any] = field(default_factory=dict)


def _purpose(entry_id: str) -> str:
    return f"spool/{entry_id}"


@dataclass
class Spool:
    directory: Path
    sealer: Sealer
    zone: ZoneInfo

    def put(self, kind: str, day: dt.date, reference: str | None,
            body: dict[str, Any] | None = None) -> SpoolEntry:
        """Queue one write, durably, before the reporter is told it was received."""
        prefix = _FAILURE_PREFIX if kind == FAILURE else ""
        entry = SpoolEntry(prefix + secrets.token_hex(16), kind, day, reference, dict(body or {}))
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._write(entry, self.sealer)
        return entry

    def entries(self) -> list[SpoolEntry]:
        """Every waiting write this Probity can open, failures included (a file it cannot
        open is skipped, named by `unreadable`, and never deleted)."""
        return [entry for entry in self._read_all() if entry is not None]

    def writes(self) -> list[SpoolEntry]:
        """The waiting submissions, messages and reveals: what a reporter reads back."""
        return [entry for entry in self._read_all(failures=False) if entry is not None]

    def days_waiting(self) -> set[dt.date]:
        """The days of every waiting file, from the day its modification time was set to,
        without opening any (the batch's schedule asks this every few minutes)."""
        if not self.directory.exists():
            return set()
        return {dt.datetime.fromtimestamp(path.stat().st_mtime, self.zone).date()
                for path in self.directory.glob(f"*{_SUFFIX}")}

    def unreadable(self) -> list[str]:
        return [path.stem for path, entry in self._paths_and_entries() if entry is None]

    def for_reference(self, reference: str) -> list[SpoolEntry]:
        return [entry for entry in self.writes() if entry.reference == reference]

    def remove(self, entry_ids: Iterable[str]) -> None:
        for entry_id in entry_ids:
            (self.directory / f"{entry_id}{_SUFFIX}").unlink(missing_ok=True)
        self._backdate(self.directory, None)

    def reseal(self, new: Sealer) -> int:
        """Seal every waiting write again under `new` (a key rotation); returns how many."""
        entries = self.entries()
        for entry in entries:
            self._write(entry, new)
        return len(entries)

    def _write(self, entry: SpoolEntry, sealer: Sealer) -> None:
        text = json.dumps({"kind": entry.kind, "day": entry.day.isoformat(),
                           "reference": entry.reference, "body": entry.body}, sort_keys=True)
        sealed = sealer.seal(text, _purpose(entry.entry_id))
        final = self.directory / f"{entry.entry_id}{_SUFFIX}"
        temporary = self.directory / f".{entry.entry_id}.{secrets.token_hex(4)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(sealed)
                handle.flush()
                # A reporter's write must survive a crash before they are told it was
                # received; a failed guess need not, and a flood of them must stay cheap.
                if entry.kind != FAILURE:
                    os.fsync(handle.fileno())
            self._backdate(temporary, entry.day)
            os.replace(temporary, final)
        finally:
            temporary.unlink(missing_ok=True)
        self._backdate(self.directory, entry.day)

    def _backdate(self, path: Path, day: dt.date | None) -> None:
        # A modification time no finer than the day: backups keep mtimes, not change times.
        day = day or dt.datetime.now(self.zone).date()
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=self.zone).timestamp()
        with contextlib.suppress(OSError):
            os.utime(path, (midnight, midnight))

    def _paths_and_entries(self, failures: bool = True
                           ) -> Iterator[tuple[Path, SpoolEntry | None]]:
        if not self.directory.exists():
            return
        for path in sorted(self.directory.glob(f"*{_SUFFIX}")):
            if not failures and path.name.startswith(_FAILURE_PREFIX):
                continue
            try:
                text = self.sealer.open(path.read_bytes(), _purpose(path.stem))
                raw = json.loads(text)
                yield path, SpoolEntry(path.stem, raw["kind"], dt.date.fromisoformat(raw["day"]),
                                       raw["reference"], raw["body"])
            except (OSError, SealingError, ValueError, KeyError):
                yield path, None

    def _read_all(self, failures: bool = True) -> list[SpoolEntry | None]:
        return [entry for _, entry in self._paths_and_entries(failures)]
