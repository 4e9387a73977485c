"""No lockout (issue 13): guessing is limited per sender, so nobody's guesses ever refuse
another person's correct receipt; and a proof of work the web intake can ask for.

Before, one attacker guessing one real reference kept its reporter out 144 times of 144
over a day, and one junk attempt a second with made-up references kept every reporter out
118 times of 120 over two hours (a global limit of 30 a minute)."""

from __future__ import annotations

import pytest
from test_report_support import FakeClock, reporting_context, sample_content

from bot.config import Settings
from bot.reporting import AccessRefused, ReporterView, open_report, submit_anonymous_report
from bot.reporting.challenge import issue_challenge, solve_challenge, verify_challenge
from bot.reporting.throttle import GuessLimiter
from bot.store import Store

WRONG = "1111 2222 3333 4444 5555"


@pytest.fixture
def quick_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its cheapest: these tests make hundreds of checks, and what they test is
    who gets refused, not the hash (test_report_receipts covers that)."""
    from argon2 import PasswordHasher

    from bot.reporting import receipts

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    dummy = cheap.hash("0" * 20)
    monkeypatch.setattr(receipts, "_hasher", lambda: cheap)
    monkeypatch.setattr(receipts, "_dummy_hash", lambda: dummy)


def test_an_attacker_guessing_her_reference_all_day_never_locks_her_out(
    store: Store, settings: Settings, quick_hash: None
) -> None:
    clock = FakeClock()
    context = reporting_context(settings, clock)
    with store.transaction() as session:
        mine = submit_anonymous_report(session, context, sample_content())
    attacker = context.guesses.sender("slack", "UATTACKER")
    reporter = context.guesses.sender("slack", "UREPORTER")
    opened = 0
    # Every ten minutes for a day: the attacker guesses, then the reporter checks in.
    for _ in range(144):
        with store.transaction() as session:
            assert isinstance(open_report(session, context, mine.reference, WRONG,
                                          sender=attacker), AccessRefused)
            view = open_report(session, context, mine.reference, mine.receipt,
                               sender=reporter)
        opened += isinstance(view, ReporterView)
        clock.advance(minutes=10)
    assert opened == 144


def test_junk_every_second_with_made_up_references_blocks_no_reporter(
    store: Store, settings: Settings, quick_hash: None
) -> None:
    clock = FakeClock()
    context = reporting_context(settings, clock)
    with store.transaction() as session:
        mine = submit_anonymous_report(session, context, sample_content())
    reporter = context.guesses.sender("slack", "UREPORTER")
    opened = 0
    # A junk attempt each second (from a fresh sender each time, the worst case for a shared
    # limit), and the reporter checking in every minute: twenty minutes of the two hours.
    for minute in range(20):
        for second in range(60):
            junk = context.guesses.sender("web", f"session-{minute}-{second}")
            with store.transaction() as session:
                open_report(session, context, f"R-2026-{100000 + second}", WRONG, sender=junk)
            clock.advance(seconds=1)
        with store.transaction() as session:
            view = open_report(session, context, mine.reference, mine.receipt,
                               sender=reporter)
        opened += isinstance(view, ReporterView)
    assert opened == 20


def test_a_sender_is_a_salted_hash_that_differs_between_processes() -> None:
    one, other = GuessLimiter(), GuessLimiter()
    assert one.sender("slack", "U1") == one.sender("slack", "U1")
    assert one.sender("slack", "U1") != one.sender("slack", "U2")
    # Another process (another salt) cannot match the same person to the same digest.
    assert one.sender("slack", "U1") != other.sender("slack", "U1")
    assert "U1" not in repr(one.sender("slack", "U1"))


def test_a_solved_challenge_passes_once_and_nothing_else_does() -> None:
    challenge = issue_challenge(bits=12)
    counter = solve_challenge(challenge)
    assert verify_challenge(challenge.token, counter, minimum_bits=12)
    assert not verify_challenge(challenge.token, counter, minimum_bits=12)  # spent
    fresh = issue_challenge(bits=12)
    first = solve_challenge(fresh)  # the smallest counter that solves it
    if first > 0:
        assert not verify_challenge(fresh.token, first - 1, minimum_bits=12)
    # A token made up, altered, or asking for less work than the server wants, is refused.
    nonce, bits, expires, signature = fresh.token.split(".")
    assert not verify_challenge(f"{nonce}.4.{expires}.{signature}", 0, minimum_bits=12)
    assert not verify_challenge("not a token", 0)
    easy = issue_challenge(bits=4)
    assert not verify_challenge(easy.token, solve_challenge(easy), minimum_bits=12)
