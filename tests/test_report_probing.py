"""With an attacker's eye: nothing a reporter-side call returns, and no work it does, depends
on whether a reference exists, and what was typed into the reference box is not kept unless
it can only be a reference."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from test_report_support import FakeClock, next_batch, reporting_context, sample_content

from bot.config import Settings
from bot.reporting import AccessRefused, open_report, submit_anonymous_report
from bot.reporting import receipts as receipts_module
from bot.store import Store
from bot.store.vault.models import ReceiptFailure

WRONG = "1234 5678 9012 3456 7890"


def test_a_real_and_an_unknown_reference_are_refused_and_throttled_alike(
    store: Store, settings: Settings
) -> None:
    clock = FakeClock()
    context = reporting_context(settings, clock)
    with store.transaction() as session:
        real = submit_anonymous_report(session, context, sample_content()).reference
    answers: dict[str, list[AccessRefused]] = {}
    for reference in (real, "R-2026-0777"):
        answers[reference] = []
        # One guesser per reference, so each starts with the same allowance.
        guesser = context.guesses.sender("slack", f"U-{reference}")
        for _ in range(8):
            with store.transaction() as session:
                refused = open_report(session, context, reference.lower().replace("-", " "),
                                      WRONG, sender=guesser)
            assert isinstance(refused, AccessRefused)
            answers[reference].append(refused)
            clock.advance(seconds=20)
    # Same answers, same waits, same moment the throttle engages: no way to tell them apart.
    assert answers[real] == answers["R-2026-0777"]
    assert [a.throttled for a in answers[real]] == [False] * 5 + [True, False, True]


@pytest.mark.parametrize("reference", ["R-2026-0001", "R-2026-0404", "not a reference",
                                       "GH-2026-0001", ""])
def test_every_refusal_costs_exactly_one_slow_hash(
    store: Store, settings: Settings, reference: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = reporting_context(settings, FakeClock())
    with store.transaction() as session:
        submit_anonymous_report(session, context, sample_content())
    calls: list[str] = []
    real = receipts_module._hasher()

    class CountingHasher:
        def verify(self, stored: str, typed: str) -> bool:
            calls.append(stored)
            return real.verify(stored, typed)

    counting = CountingHasher()
    monkeypatch.setattr(receipts_module, "_hasher", lambda: counting)
    for typed in (WRONG, "12 34", "letters"):
        with store.transaction() as session:
            assert isinstance(open_report(session, context, reference, typed), AccessRefused)
    # One Argon2id verification per attempt, whether the reference exists or not, and
    # whether or not what was typed could be a receipt: the time taken says nothing.
    assert len(calls) == 3


def test_a_receipt_typed_into_the_reference_box_is_never_written_down(
    store: Store, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = FakeClock()
    context = reporting_context(settings, clock)
    receipt_digits = WRONG.replace(" ", "")
    with store.transaction() as session:
        open_report(session, context, f"R 2026 {receipt_digits}", WRONG)
        open_report(session, context, "R-2026-0042", WRONG)
    next_batch(store, context, clock)
    with store.session() as session:
        kept = sorted(str(f.reference) for f in session.scalars(select(ReceiptFailure)))
    # Not even "R-2026-0042": it names no report, so the failure is counted without it.
    assert kept == ["None"]
    assert "1234" not in caplog.text and "R-2026-0042" not in caplog.text
