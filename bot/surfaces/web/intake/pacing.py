"""The proof of work each report and each receipt check costs, with or without JavaScript.

Instead of a lockout (which would lock out the real reporter), each attempt must carry the
solution of a fresh hashcash challenge (bot.reporting.challenge): the page's script finds
it in a fraction of a second. A browser without JavaScript (Tor Browser at "Safest", or
scripting turned off) sends no solution; then the server finds it itself, in a worker
thread, and waits a few seconds more before answering. Those server-side solutions share a
few slots for the whole process, so scripted guessing without JavaScript is held to a few
attempts every few seconds in total, while a reporter without JavaScript waits a little
longer; when every slot is busy the form comes back, as typed, asking to send again. Every
challenge is spent when used, so each attempt needs a page fetched for it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool

from bot.reporting.challenge import (
    DEFAULT_BITS,
    Challenge,
    issue_challenge,
    solve_challenge,
    verify_challenge,
)

#: A challenge lives as long as a form token: a report may take a while to write.
CHALLENGE_LIFETIME_SECONDS = 3 * 60 * 60


@dataclass
class Pacing:
    bits: int = DEFAULT_BITS
    #: How long a request without a solution takes at least, the server's solving included.
    no_script_seconds: float = 3.0
    #: How many such requests the process works on at once.
    no_script_slots: int = 2
    #: How long one waits for a slot before the form comes back asking to send again.
    slot_wait_seconds: float = 20.0
    _slots: threading.BoundedSemaphore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.no_script_slots)

    def challenge(self) -> Challenge:
        return issue_challenge(self.bits, CHALLENGE_LIFETIME_SECONDS)

    async def passed(self, token: str | None, counter: str | None) -> bool:
        """Whether the attempt has paid its work (spending the challenge if so)."""
        token = str(token or "")
        text = str(counter or "").strip()
        if text.isdigit() and len(text) < 20:
            return verify_challenge(token, int(text), self.bits)
        return await run_in_threadpool(self._solve_here, token)

    def _solve_here(self, token: str) -> bool:
        if token.count(".") != 3 or not self._slots.acquire(timeout=self.slot_wait_seconds):
            return False
        try:
            started = time.monotonic()
            try:
                bits = int(token.split(".")[1])
            except ValueError:
                return False
            if bits != self.bits:
                return False
            counter = solve_challenge(Challenge(token, bits))
            time.sleep(max(0.0, self.no_script_seconds - (time.monotonic() - started)))
            return verify_challenge(token, counter, self.bits)
        finally:
            self._slots.release()
