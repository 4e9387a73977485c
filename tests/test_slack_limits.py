"""Block Kit's limits met gracefully, end to end: a very long answer to `/integrity ask`,
sixty declarations with long summaries in `/integrity mine`, more than App Home holds."""

from __future__ import annotations

import json
from typing import Any

from slack_mock.harness import STAFF, SlackHarness

from bot.store.models import Declaration
from bot.surfaces.slack import blocks
from bot.turns import Citation, Reply

pytest_plugins = ["slack_mock.fixtures"]

SENTENCE = "Gifts from suppliers & contractors must be declared within 28 days. "


def _file_many(slack: SlackHarness, count: int, summary_chars: int) -> list[str]:
    """`count` declarations for STAFF, straight into the store, each with a long summary."""
    person_id = slack.services.person_id(slack.services.people.speaker(slack.client, STAFF))
    references = []
    with slack.store.transaction() as session:
        for n in range(count):
            reference = f"GH-2026-{n + 1:04d}"
            summary = f"Declaration {n + 1}: " + (SENTENCE * 100)[:summary_chars]
            session.add(Declaration(reference=reference, kind="gift_hospitality",
                                    person_id=person_id, workflow="gift_hospitality",
                                    summary=summary))
            references.append(reference)
    return references


def _section_texts(message_blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in message_blocks if b["type"] == "section"]


def test_a_ten_thousand_character_answer_is_sent_whole(slack: SlackHarness,
                                                       monkeypatch: Any) -> None:
    answer = (SENTENCE * 200)[:10_000]
    citation = Citation("gifts-and-hospitality.md", "Gifts and Hospitality", "3. Declaring",
                        2.0, "Declare it.")
    monkeypatch.setattr(slack.services, "answer",
                        lambda speaker, question: [Reply(answer, kind="answer",
                                                         citations=(citation,))])
    slack.send.command(slack.payloads.slash_command(STAFF, "ask can I keep a gift"))
    [sent] = slack.api.wait_for("respond")
    texts = _section_texts(sent["blocks"])
    assert "…" not in "".join(texts)
    assert all(len(text) <= blocks.SECTION_TEXT for text in texts)
    assert " ".join(texts[:4]) == answer.replace("&", "&amp;").strip()
    assert sent["blocks"][-1]["block_id"] == "feedback"


def test_an_answer_longer_than_one_message_is_sent_in_every_part(slack: SlackHarness,
                                                                 monkeypatch: Any) -> None:
    answer = SENTENCE * 3000  # ~200,000 characters: more than 50 sections
    monkeypatch.setattr(slack.services, "answer",
                        lambda speaker, question: [Reply(answer, kind="answer")])
    slack.send.command(slack.payloads.slash_command(STAFF, "ask can I keep a gift"))
    sent = slack.api.wait_for("respond", count=2)
    assert len(sent) == 2
    assert all(len(call["blocks"]) <= blocks.BLOCKS_PER_MESSAGE for call in sent)
    assert sum(len(_section_texts(call["blocks"])) for call in sent) == len(
        blocks.sections(answer))
    # The vote buttons came with the last part, with "Was this helpful?" before them.
    assert sent[-1]["blocks"][-1]["block_id"] == "feedback"
    assert sent[-1]["blocks"][-2]["elements"][0]["text"] == "Was this helpful?"


def test_mine_with_sixty_long_declarations_lists_every_one(slack: SlackHarness) -> None:
    references = _file_many(slack, 60, summary_chars=2500)
    slack.send.command(slack.payloads.slash_command(STAFF, "mine"))
    # Newest first, so the oldest comes in the last message.
    slack.api.wait_for("respond", where=lambda c: "GH-2026-0001" in json.dumps(c.args))
    sent = slack.api.calls_to("respond")
    assert len(sent) >= 2
    assert all(len(call["blocks"]) <= blocks.BLOCKS_PER_MESSAGE for call in sent)
    said = json.dumps([call["blocks"] for call in sent])
    assert all(reference in said for reference in references)
    assert "…" not in said


def test_app_home_shows_the_newest_declarations_and_says_how_many_more(
        slack: SlackHarness) -> None:
    references = _file_many(slack, 130, summary_chars=2500)
    slack.send.event(slack.payloads.app_home_opened(STAFF))
    view = slack.api.wait_for("views.publish")[-1]["view"]
    shown = view["blocks"]
    assert len(shown) <= 100
    said = json.dumps(shown)
    listed = [r for r in references if f"*{r}*" in said]
    assert 40 < len(listed) < 130  # a long summary takes a block of its own
    assert listed == references[-len(listed):]  # the newest first
    last = shown[-1]["elements"][0]["text"]
    assert last.startswith(f"…and {130 - len(listed)} more declarations")
    assert "`my declarations` in a DM" in last


def test_app_home_keeps_room_for_declarations_after_a_long_search(slack: SlackHarness,
                                                                  monkeypatch: Any) -> None:
    _file_many(slack, 60, summary_chars=100)
    monkeypatch.setattr(slack.services, "answer",
                        lambda speaker, question: [Reply(SENTENCE * 6000, kind="answer")])
    search = slack.payloads.block_action(STAFF, "probity_home_search", "can I keep a gift",
                                         view={"id": "VHOME", "type": "home"})
    slack.send.interaction(search)
    shown = slack.api.wait_for("views.publish")[-1]["view"]["blocks"]
    assert len(shown) == 100
    said = json.dumps(shown)
    assert "Gifts from suppliers" in said and "more not shown here" in said
    assert sum(f"*GH-2026-{n:04d}*" in said for n in range(1, 61)) >= 10
    assert "more declarations" in shown[-1]["elements"][0]["text"]
