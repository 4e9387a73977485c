"""Slowing down receipt guessing per sender, in memory only.

A receipt has 66 bits and each check costs an Argon2id evaluation, so guessing one is
hopeless; what a lockout adds is a way to lock a real reporter out. Limits here therefore
apply to whoever is guessing, never to a reference or to everyone: a sender is a salted hash
of the Slack user id or web session id, the salt is made when the process starts, and
nothing is written down, so the count can neither be read back to find who guessed nor be
matched with the Slack workspace's own records. A web sender can be made to pay a proof of
work per attempt as well (bot.reporting.challenge).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field

from bot.store.models import utcnow


@dataclass(frozen=True)
class ThrottlePolicy:
    """How patient Probity is with one sender's wrong receipts."""

    #: Failures by one sender within `window` before waits start.
    free_failures: int = 5
    window: dt.timedelta = dt.timedelta(hours=1)
    #: The first wait; each further failure doubles it, up to `longest_wait`.
    first_wait: dt.timedelta = dt.timedelta(seconds=30)
    longest_wait: dt.timedelta = dt.timedelta(hours=1)


@dataclass(frozen=True)
class ThrottleDecision:
    allowed: bool
    retry_after: dt.timedelta = dt.timedelta(0)


@dataclass(frozen=True)
class Sender:
    """Who is guessing, as a salted hash that means nothing outside this process."""

    digest: bytes = field(repr=False)


@dataclass
class GuessLimiter:
    """Recent failures per sender, in this process's memory."""

    policy: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    _salt: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    _failures: dict[bytes, deque[dt.datetime]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def sender(self, surface: str, surface_id: str) -> Sender:
        """The sender key for a Slack user, a web session or a terminal user."""
        text = f"{surface}\x00{surface_id}".encode()
        return Sender(hashlib.blake2b(text, key=self._salt, digest_size=16).digest())

    def check(self, sender: Sender, now: dt.datetime | None = None) -> ThrottleDecision:
        """May `sender` try a receipt now? If not, how long until they may."""
        now = now or utcnow()
        with self._lock:
            recent = self._recent(sender, now)
            if len(recent) < self.policy.free_failures:
                return ThrottleDecision(True)
            doublings = min(len(recent) - self.policy.free_failures, 20)
            wait = min(self.policy.first_wait * (2**doublings), self.policy.longest_wait)
            left = recent[-1] + wait - now
        return ThrottleDecision(left <= dt.timedelta(0), max(left, dt.timedelta(0)))

    def record_failure(self, sender: Sender, now: dt.datetime | None = None) -> None:
        now = now or utcnow()
        with self._lock:
            self._recent(sender, now).append(now)

    def forget(self, sender: Sender) -> None:
        """A sender who opened a report with the right receipt starts again from nothing."""
        with self._lock:
            self._failures.pop(sender.digest, None)

    def reset(self) -> None:
        """Forget every sender, as a restart does."""
        with self._lock:
            self._failures.clear()

    def _recent(self, sender: Sender, now: dt.datetime) -> deque[dt.datetime]:
        failures = self._failures.setdefault(sender.digest, deque())
        while failures and failures[0] <= now - self.policy.window:
            failures.popleft()
        if not failures:
            # Do not keep an entry per sender ever seen; only those with recent failures.
            self._failures.pop(sender.digest, None)
            failures = self._failures.setdefault(sender.digest, deque())
        return failures


#: The process's limiter: every ReportingContext built in this process shares it, so a
#: context rebuilt per turn does not forgive a guesser.
PROCESS_LIMITER = GuessLimiter()
