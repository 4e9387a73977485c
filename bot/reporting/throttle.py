"""Slowing down receipt guessing, per reference and across all references.

Failures are rows in ReceiptFailure (when, and which real reference; never what was typed),
so every process sees the same count and a restart forgives nothing. The check runs before
the slow hash is verified: a throttled guess is not even tested.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import ReceiptFailure


@dataclass(frozen=True)
class ThrottlePolicy:
    """How patient Probity is with wrong receipts."""

    #: Failures on one reference within `window` before waits start.
    free_failures: int = 3
    window: dt.timedelta = dt.timedelta(hours=1)
    #: The first wait; each further failure doubles it, up to `longest_wait`.
    first_wait: dt.timedelta = dt.timedelta(seconds=30)
    longest_wait: dt.timedelta = dt.timedelta(hours=1)
    #: Failures across every reference (including unknown ones) allowed per `global_window`.
    global_limit: int = 30
    global_window: dt.timedelta = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class ThrottleDecision:
    allowed: bool
    retry_after: dt.timedelta = dt.timedelta(0)


def check_throttle(
    session: Session, reference: str | None, now: dt.datetime, policy: ThrottlePolicy
) -> ThrottleDecision:
    """May a receipt for `reference` be tried now? If not, how long until it may."""
    waits = [_global_wait(session, now, policy)]
    if reference is not None:
        waits.append(_reference_wait(session, reference, now, policy))
    longest = max(waits)
    return ThrottleDecision(longest <= dt.timedelta(0), max(longest, dt.timedelta(0)))


def record_failure(session: Session, reference: str | None, now: dt.datetime) -> None:
    """Note a failed check; `reference` only when it names a real report."""
    session.add(ReceiptFailure(reference=reference, at=now))
    session.flush()


def _reference_wait(
    session: Session, reference: str, now: dt.datetime, policy: ThrottlePolicy
) -> dt.timedelta:
    recent = session.scalars(
        select(ReceiptFailure.at).where(
            ReceiptFailure.reference == reference, ReceiptFailure.at > now - policy.window
        )
    ).all()
    count, last = len(recent), max(recent, default=None)
    if count < policy.free_failures or last is None:
        return dt.timedelta(0)
    doublings = min(count - policy.free_failures, 20)
    wait = min(policy.first_wait * (2**doublings), policy.longest_wait)
    return last + wait - now


def _global_wait(session: Session, now: dt.datetime, policy: ThrottlePolicy) -> dt.timedelta:
    since = now - policy.global_window
    recent = session.scalars(
        select(ReceiptFailure.at).where(ReceiptFailure.at > since)
        .order_by(ReceiptFailure.at.desc()).limit(policy.global_limit)
    ).all()
    if len(recent) < policy.global_limit:
        return dt.timedelta(0)
    # Open again when the oldest of the last `global_limit` failures leaves the window.
    return recent[-1] + policy.global_window - now
