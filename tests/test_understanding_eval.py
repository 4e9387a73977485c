"""The conversation evaluation (`probity eval conversations`) in the test suite, with a bar.

Runs every scripted conversation through the real assistant and prints the figures for
each split whether or not pytest captures output. The issue's target is right first time
>= 0.9, re-prompts <= 0.5 a conversation and no extra turns (median); `tune` meets it. The
held-out split (the measure, never tuned on) does not yet: it is held to the figures
reached so far, so it can only get better; see README "Understanding people's words".
The second round of conversations (*_2.yaml) is measured apart, with floors of its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.evaluation.conversations import (
    MAX_MEDIAN_EXCESS_TURNS,
    MAX_REPROMPTS_PER_CONVERSATION,
    MIN_RIGHT_FIRST_TIME,
    Conversation,
    Report,
    evaluate,
    load_conversations,
    matches,
)

#: Floors for the held-out split and the project's own regression conversations: the
#: figures reached when this was written (a ratchet: raise them as the figures rise).
HELD_OUT_FLOOR = {"right": 0.62, "reprompts": 0.55}
OWN_FLOOR = {"right": 0.95, "reprompts": 0.1}
#: The second round of blind conversations (files named *_2.yaml), newer than the work
#: above: its tune split is not yet at the bar, so both its splits are held to floors just
#: under the figures reached with it (right first time 0.88 and 0.53, re-prompts 0.15 and
#: 0.53; 0.45 and 0.33 when it arrived).
ROUND_2_FLOORS = {"tune": {"right": 0.85, "reprompts": 0.2},
                  "held_out": {"right": 0.5, "reprompts": 0.58}}


def _round_2(conversation: Conversation) -> bool:
    return conversation.file.endswith("_2.yaml")


@pytest.mark.slow
def test_scripted_conversations_meet_the_bar(tmp_path: Path,
                                             capsys: pytest.CaptureFixture) -> None:
    conversations = load_conversations()
    assert len([c for c in conversations if c.split in {"tune", "held_out"}]) >= 80
    report = evaluate(conversations, Settings(home=tmp_path / "home"))
    first = Report([o for o in report.outcomes if not _round_2(o.conversation)])
    second = Report([o for o in report.outcomes if _round_2(o.conversation)])
    with capsys.disabled():
        print("\nconversation evaluation, round 1:\n" + "\n".join(first.lines()[:18]))
        print("round 2:\n" + "\n".join(second.lines()[:13]))
    for split, floor in ROUND_2_FLOORS.items():
        figures = second.split(split)
        assert figures.right_first_time >= floor["right"], split
        assert figures.reprompts <= floor["reprompts"], split
        assert figures.median_excess <= MAX_MEDIAN_EXCESS_TURNS, split
    tune, held_out, own = (first.split(name) for name in ("tune", "held_out", "own"))
    assert tune.right_first_time >= MIN_RIGHT_FIRST_TIME
    assert tune.reprompts <= MAX_REPROMPTS_PER_CONVERSATION
    assert tune.median_excess <= MAX_MEDIAN_EXCESS_TURNS
    assert held_out.right_first_time >= HELD_OUT_FLOOR["right"]
    assert held_out.reprompts <= HELD_OUT_FLOOR["reprompts"]
    assert held_out.median_excess <= MAX_MEDIAN_EXCESS_TURNS
    assert own.right_first_time >= OWN_FLOOR["right"]
    assert own.reprompts <= OWN_FLOOR["reprompts"]


@pytest.mark.parametrize(("wanted", "got", "ok"), [
    ({"contains": "roses"}, "a tin of Roses", True),
    ({"contains": "roses"}, None, False),
    ({"between": [1.7, 2.0]}, 1.8, True),
    ({"between": [1.7, 2.0]}, 8, False),
    (3000, 3000, True),
    (False, False, True),
    (False, 0, False),
    ("tom.reid", {"key": "tom.reid", "name": "Sgt Tom Reid"}, True),
    (None, None, True),
])
def test_expected_answers_are_compared_as_the_scripts_say(wanted: object, got: object,
                                                         ok: bool) -> None:
    assert matches(wanted, got) is ok


def test_the_harness_scores_a_conversation_it_drives(tmp_path: Path) -> None:
    """One short script end to end: filed, right first time, and no extra turns."""
    script = tmp_path / "one.yaml"
    script.write_text(
        "today: 2026-11-18\nconversations:\n"
        "  - id: one\n    split: tune\n    as: amira.khan\n"
        "    opening: \"a grateful victim's mum gave me a £10 box of chocolates yesterday, "
        "I took it\"\n"
        "    accept_offer: \"go on then\"\n"
        "    answers: {donor_name: skip, donor_organisation: skip, destination: shared "
        "with the shift, rationale: a small thank you}\n"
        "    confirm: \"yep that's it\"\n"
        "    expect:\n      workflow: gift_hospitality\n"
        "      answers: {value: 1000, relationship: victim, decision: accepted, "
        "offered_on: 2026-11-17, destination: shared_with_team}\n", encoding="utf-8")
    report = evaluate(load_conversations(tmp_path), Settings(home=tmp_path / "home"))
    [outcome] = report.outcomes
    assert outcome.right, outcome.mismatches
    assert outcome.reprompts == 0 and outcome.excess <= 0
