"""`probity bench campaigns` runs end to end at a tiny size and finds nothing lost or doubled
(the figures themselves are for README, not asserted)."""

from __future__ import annotations

import pytest

from bot.cli import main


def test_the_campaign_benchmark_runs_and_counts_every_acknowledgement_once(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROBITY_TEST_DATABASE_URL", raising=False)
    assert main(["bench", "campaigns", "--staff", "12", "--acks", "8", "--threads", "4"]) == 0
    printed = capsys.readouterr().out
    assert "fan-out to 12 Slack users" in printed and "sent 12 DMs to 12 people" in printed
    assert "sqlite: 8 people acknowledging at once" in printed
    assert printed.count("check attempts miscounted 0") == 2
    assert printed.count("lost 0, doubled 0, requests failed after retries 0") == 2
