"""Receipts: the secret a reporter writes down to come back to a report, and its slow hash."""

from __future__ import annotations

import functools
import math
import re
import secrets
import unicodedata
from typing import TYPE_CHECKING

from bot.messages import say

if TYPE_CHECKING:
    from argon2 import PasswordHasher

#: Twenty decimal digits, shown as five groups of four: easy to copy onto paper or read out.
RECEIPT_DIGITS = 20
RECEIPT_GROUP = 4
#: log2(10**20) = 66.4 bits: above the 64-bit floor, so guessing is hopeless even unthrottled
#: (2**66 Argon2id evaluations at ~0.1 s each is far beyond any attacker).
RECEIPT_ENTROPY_BITS = RECEIPT_DIGITS * math.log2(10)

# Argon2id with RFC 9106's "second recommended option" (for memory-constrained hosts):
# 3 passes over 64 MiB with 4 lanes, a 16-byte random salt and a 32-byte tag. It costs about
# 0.1 s per check here, which is unnoticeable for a reporter and ruinous for a guesser who
# has stolen the database. Parameters travel inside each hash string, so raising them later
# only affects new receipts; old ones still verify.
@functools.cache
def _hasher() -> PasswordHasher:
    # Built on first use: most commands never touch a receipt and need not load argon2.
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4, hash_len=32,
                          salt_len=16)


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when a reference does not exist, computed once on first need.

    Checking it costs the same as checking a real one, so response time does not reveal which
    references are real. It is made lazily (not at import) because it costs ~0.1-0.3 s and
    64 MiB, which every command importing reporting would otherwise pay at start-up.
    """
    return _hasher().hash("0" * RECEIPT_DIGITS)


class Receipt(str):
    """A receipt in its display form; repr() hides it so it cannot leak into logs or tracebacks."""

    def __repr__(self) -> str:
        return "Receipt(<hidden>)"


def generate_receipt() -> Receipt:
    """A fresh receipt from the operating system's secure random source."""
    digits = f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"
    groups = [digits[i:i + RECEIPT_GROUP] for i in range(0, RECEIPT_DIGITS, RECEIPT_GROUP)]
    return Receipt(" ".join(groups))


# What people put between the groups when they copy a receipt by hand or from a phone: spaces
# of any kind, every dash a keyboard or autocorrect produces, dots, commas, slashes, underscores.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.,/_]+")


def normalise_receipt(text: str) -> str | None:
    """The twenty digits of a receipt however it was typed or grouped, or None.

    Only separators are forgiven: full-width digits are folded to ASCII (NFKC), but a receipt
    with a digit too many or too few, or any letter, is not a receipt, and checking it still
    counts as a failed attempt.
    """
    folded = unicodedata.normalize("NFKC", text or "")
    digits = _SEPARATORS.sub("", folded)
    # isdigit() alone would let other scripts' digits through; they never hash the same.
    if len(digits) != RECEIPT_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    return digits


def hash_receipt(receipt: str) -> str:
    """The Argon2id hash to store; the receipt itself is never stored."""
    digits = normalise_receipt(receipt)
    if digits is None:
        raise ValueError(say("reporting.not_a_receipt"))
    return _hasher().hash(digits)


def receipt_matches(stored_hash: str | None, typed: str) -> bool:
    """Whether `typed` is the receipt behind `stored_hash`; always does the slow work once."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    digits = normalise_receipt(typed) or ""
    try:
        return _hasher().verify(stored_hash or _dummy_hash(), digits) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
