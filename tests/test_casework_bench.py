"""The casework benchmark's generated year: the indexed checks agree with pair-by-pair ones."""

from __future__ import annotations

import dataclasses

import pytest

from bot.casework.bench import AS_OF, Volumes, seed_year
from bot.casework.checks import run_checks
from bot.casework.rules import CaseworkRules
from bot.cli import main
from bot.config import Settings
from bot.store import Store


def test_on_a_generated_year_the_index_finds_what_comparing_every_pair_finds(
    store: Store, settings: Settings,
) -> None:
    rules = CaseworkRules.from_settings(dataclasses.replace(settings, handlers=("x",)))
    with store.transaction() as session:
        seed_year(session, Volumes(staff=400, gifts=400, suppliers=150, interests=20))
    with store.session() as session:
        fast = run_checks(session, rules, AS_OF)
        slow = run_checks(session, rules, AS_OF, indexed=False)
    assert fast == slow
    checks = {f.check for f in fast}
    # The generated year exercises the name matching and the declared-tender answer.
    assert {"gift_from_supplier", "gift_from_bidder_during_tender",
            "gift_during_declared_tender", "repeated_offers_to_team"} <= checks
    assert any("every word of the shorter name" in f.why for f in fast)
    assert any("% similar)" in f.why for f in fast)


def test_probity_bench_casework_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "casework", "--staff", "300", "--gifts", "200", "--suppliers", "80",
                 "--interests", "10"]) == 0
    out = capsys.readouterr().out
    assert "the same findings" in out
    assert "| register checks" in out and "| gift register CSV export" in out
