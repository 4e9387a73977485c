"""Follow-up sessions: reference and receipt held in this process's memory, briefly.

Once a reporter has opened their report, each further step (reading, answering, adding)
needs the receipt again, and it must not travel in a URL or a cookie. The page carries a
random session id in a hidden field instead; the id maps, here and nowhere else, to the
reference and receipt. A session ends after a few idle minutes, after a longest time, when
the reporter leaves, and when the process stops. Nothing is written down.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

IDLE_SECONDS = 10 * 60
LONGEST_SECONDS = 30 * 60


@dataclass
class FollowUp:
    reference: str
    receipt: str = field(repr=False)
    started: float
    seen: float


@dataclass
class FollowUpSessions:
    idle_seconds: float = IDLE_SECONDS
    longest_seconds: float = LONGEST_SECONDS
    clock: Callable[[], float] = time.monotonic
    _open: dict[str, FollowUp] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self, reference: str, receipt: str) -> str:
        now = self.clock()
        session_id = secrets.token_urlsafe(32)
        with self._lock:
            self._expire(now)
            self._open[session_id] = FollowUp(reference, receipt, now, now)
        return session_id

    def get(self, session_id: str | None) -> FollowUp | None:
        """The session, kept alive by this use; None if unknown or ended."""
        now = self.clock()
        with self._lock:
            self._expire(now)
            found = self._open.get(session_id or "")
            if found is not None:
                found.seen = now
            return found

    def end(self, session_id: str | None) -> None:
        with self._lock:
            self._open.pop(session_id or "", None)

    def __len__(self) -> int:
        with self._lock:
            self._expire(self.clock())
            return len(self._open)

    def _expire(self, now: float) -> None:
        for key, session in list(self._open.items()):
            if now - session.seen > self.idle_seconds or (
                    now - session.started > self.longest_seconds):
                del self._open[key]
