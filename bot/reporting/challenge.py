"""A small proof of work the anonymous web intake asks for before each receipt check.

GlobaLeaks' answer to guessing: instead of locking a report (which locks out its reporter),
make every attempt cost the sender some CPU. A hashcash-style challenge: the server hands
out a random token with a difficulty and an expiry, signed with a key made when the process
starts (so it keeps no state per challenge); the client finds a counter such that
SHA-256(token ":" counter) begins with `bits` zero bits; the server checks that, the
signature and the expiry, and accepts each token once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

#: About a quarter of a second of a browser's SHA-256 at 2**18 tries; nothing for a reporter.
DEFAULT_BITS = 18
DEFAULT_LIFETIME_SECONDS = 300

_KEY = secrets.token_bytes(32)
_SPENT: dict[str, float] = {}
_SPENT_LOCK = threading.Lock()


@dataclass(frozen=True)
class Challenge:
    """What the web form receives: solve it and send back `token` and the counter."""

    token: str
    bits: int


def issue_challenge(bits: int = DEFAULT_BITS,
                    lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS) -> Challenge:
    expires = int(time.time()) + lifetime_seconds
    body = f"{secrets.token_hex(16)}.{bits}.{expires}"
    return Challenge(f"{body}.{_sign(body)}", bits)


def solve_challenge(challenge: Challenge) -> int:
    """The counter a client would find (the web page does this in JavaScript; tests here)."""
    counter = 0
    while not _enough_zeros(challenge.token, counter, challenge.bits):
        counter += 1
    return counter


def verify_challenge(token: str, counter: int, minimum_bits: int = DEFAULT_BITS) -> bool:
    """Whether `counter` solves the unexpired, unspent challenge `token`; spends it if so."""
    try:
        nonce, bits_text, expires_text, signature = token.split(".")
        bits, expires = int(bits_text), int(expires_text)
    except ValueError:
        return False
    body = f"{nonce}.{bits}.{expires}"
    if not hmac.compare_digest(signature, _sign(body)) or bits < minimum_bits:
        return False
    now = time.time()
    if expires < now or not _enough_zeros(token, counter, bits):
        return False
    with _SPENT_LOCK:
        for spent, until in list(_SPENT.items()):
            if until < now:
                del _SPENT[spent]
        if nonce in _SPENT:
            return False
        _SPENT[nonce] = expires
    return True


def _sign(body: str) -> str:
    return hmac.new(_KEY, body.encode(), hashlib.sha256).hexdigest()[:32]


def _enough_zeros(token: str, counter: int, bits: int) -> bool:
    digest = hashlib.sha256(f"{token}:{counter}".encode()).digest()
    return int.from_bytes(digest, "big") >> (256 - bits) == 0
