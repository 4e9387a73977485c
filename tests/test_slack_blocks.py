"""Rendering Replies as Block Kit: escaping what people typed, and staying inside Slack's limits."""

from __future__ import annotations

import json

from bot.surfaces.slack import blocks
from bot.surfaces.slack.escaping import escape_mrkdwn, truncate
from bot.turns import Choice, Citation, Reply


def test_special_mrkdwn_forms_are_shown_literally() -> None:
    typed = "hi <!channel> and <@U0BOSS> see <https://evil.example|your payslip> & more"
    shown = escape_mrkdwn(typed)
    assert "<" not in shown and ">" not in shown
    assert shown == ("hi &lt;!channel&gt; and &lt;@U0BOSS&gt; see "
                     "&lt;https://evil.example|your payslip&gt; &amp; more")


def test_plain_broadcast_words_do_not_ping_anyone() -> None:
    shown = escape_mrkdwn("@channel @here @everyone")
    assert "@channel" not in shown and "@here" not in shown and "@everyone" not in shown
    assert shown.replace("\u2060", "") == "@channel @here @everyone"


def test_truncation_never_leaves_half_an_entity() -> None:
    text = escape_mrkdwn("a" * 8 + "&&&&")  # "aaaaaaaa&amp;&amp;..."
    cut = truncate(text, 12)
    assert cut.endswith("…") and len(cut) <= 12
    assert "&am…" not in cut and not cut[:-1].endswith("&")


def test_a_reply_with_typed_text_is_escaped_in_its_section() -> None:
    rendered = blocks.reply_blocks(Reply("You said: <!here> pay me", kind="filed",
                                         data={"rows": [{"field": "donor", "label": "Donor",
                                                         "value": "<@U0X> & co"}]}))
    assert "<!here>" not in json.dumps(rendered[0])
    # The typed value sits in a plain_text field beside its mrkdwn label: shown, not parsed.
    fields = rendered[1]["fields"]
    assert fields[0] == {"type": "mrkdwn", "text": "*Donor*"}
    assert fields[1]["type"] == "plain_text" and fields[1]["text"] == "<@U0X> & co"


def test_an_answer_shows_its_citation_and_asks_if_it_helped() -> None:
    citation = Citation("gifts-and-hospitality.md", "Gifts and Hospitality",
                        "8. Never acceptable", 3.2, "Cash or vouchers must always be refused.")
    rendered = blocks.reply_blocks(Reply("Cash is never acceptable.", kind="answer",
                                         citations=(citation,)))
    text = json.dumps(rendered)
    assert "Gifts and Hospitality" in text and "8. Never acceptable" in text
    assert "Cash or vouchers must always be refused." in text
    action_ids = [e["action_id"] for b in rendered if b["type"] == "actions"
                  for e in b["elements"]]
    assert action_ids == ["probity_feedback_yes", "probity_feedback_no", "probity_ask_unit"]
    vote = json.loads(rendered[-1]["elements"][0]["value"])
    assert vote == {"document": "gifts-and-hospitality.md", "section": "8. Never acceptable",
                    "helpful": True}


def _long_answer(length: int = 10_000) -> str:
    sentence = "Gifts from suppliers & contractors must be declared within 28 days. "
    return (sentence * (length // len(sentence) + 1))[:length]


def test_long_text_runs_on_over_several_sections_cut_between_sentences() -> None:
    text = _long_answer()
    rendered = blocks.reply_blocks(Reply(text, kind="answer"))
    parts = [b["text"]["text"] for b in rendered if b["type"] == "section"]
    assert len(parts) == 4
    assert all(len(part) <= blocks.SECTION_TEXT for part in parts)
    # Nothing lost, no ellipsis, every piece but the last ends a sentence, no half entity.
    assert " ".join(parts) == escape_mrkdwn(text).strip()
    assert all(part.endswith("days.") for part in parts[:-1])
    assert all(part.count("&") == part.count("&amp;") for part in parts)
    assert "…" not in "".join(parts)


def test_a_split_prefers_line_breaks_and_never_halves_an_escape() -> None:
    lines = "\n".join(f"{i:03d} " + "word " * 30 for i in range(100))
    pieces = [b["text"]["text"] for b in blocks.sections(lines)]
    assert all(piece.startswith(tuple(f"{i:03d}" for i in range(100))) for piece in pieces)
    unbroken = blocks.sections("a" * 2998 + "&&&", escape=True)
    assert [len(b["text"]["text"]) for b in unbroken] == [2998, 15]
    assert unbroken[1]["text"]["text"] == "&amp;&amp;&amp;"


def test_a_reply_over_fifty_blocks_continues_in_the_next_message_with_its_buttons() -> None:
    citation = Citation("gifts-and-hospitality.md", "Gifts and Hospitality", "3. Declaring",
                        2.0, "Declare it.")
    huge = Reply(_long_answer(200_000), kind="answer", citations=(citation,))
    sent = blocks.messages([huge])
    assert len(sent) == 2
    assert all(len(message.blocks) <= blocks.BLOCKS_PER_MESSAGE for message in sent)
    last = sent[-1].blocks
    # "Was this helpful?" and its buttons arrive together, at the end, not dropped.
    assert last[-2]["elements"][0]["text"] == "Was this helpful?"
    assert last[-1]["type"] == "actions" and last[-1]["block_id"] == "feedback"
    shown = " ".join(b["text"]["text"] for m in sent for b in m.blocks
                     if b["type"] == "section" and not b["text"]["text"].startswith(">"))
    assert shown == escape_mrkdwn(huge.text).strip()
    assert sent[0].text.startswith("Gifts from") and sent[1].text == blocks.CONTINUED


def test_a_question_and_its_buttons_are_never_split_across_messages() -> None:
    filler = [Reply(f"line {i}") for i in range(49)]
    question = Reply("Accept it?", kind="question", field="accepted",
                     choices=(Choice("yes", "Yes"), Choice("no", "No")))
    sent = blocks.messages([*filler, question])
    assert [len(m.blocks) for m in sent] == [49, 2]
    assert sent[1].blocks[0]["block_id"] == "q:accepted"
    assert sent[1].blocks[1]["type"] == "actions"


def test_button_labels_are_cut_to_seventy_five_characters() -> None:
    reply = Reply("Pick", kind="question", field="f", choices=(Choice("a", "A" * 200),))
    button = blocks.reply_blocks(reply)[1]["elements"][0]
    assert len(button["text"]["text"]) == blocks.BUTTON_TEXT


def test_many_choices_become_a_menu_with_options_cut_to_size() -> None:
    choices = tuple(Choice(f"v{i}", f"Option {i} " + "y" * 100) for i in range(8))
    menu = blocks.reply_blocks(Reply("Which?", kind="question", field="f",
                                     choices=choices))[1]["elements"][0]
    assert menu["type"] == "static_select"
    assert all(len(o["text"]["text"]) <= blocks.OPTION_TEXT for o in menu["options"])


def test_more_than_twenty_five_buttons_are_split_across_actions_blocks() -> None:
    elements = [blocks.button(str(i), f"a{i}", str(i)) for i in range(30)]
    split = blocks.actions(elements)
    assert [len(b["elements"]) for b in split] == [25, 5]


def test_dates_get_a_date_picker_and_people_a_user_picker() -> None:
    date = blocks.reply_blocks(Reply("When?", kind="question", field="occurred_on",
                                     field_type="date"))
    person = blocks.reply_blocks(Reply("Who is your line manager?", kind="question",
                                       field="line_manager", field_type="person"))
    assert date[1]["elements"][0]["type"] == "datepicker"
    assert person[1]["elements"][0]["type"] == "users_select"


def test_many_replies_are_split_into_messages_of_fifty_blocks() -> None:
    replies = [Reply(f"line {i}") for i in range(120)]
    messages = blocks.message_blocks(replies)
    assert all(len(m) <= blocks.BLOCKS_PER_MESSAGE for m in messages)
    assert sum(len(m) for m in messages) == 120


def test_a_modal_keeps_to_one_hundred_blocks_and_short_titles() -> None:
    view = blocks.modal("A title far longer than Slack allows", [blocks.section("x")] * 150,
                        callback_id="c")
    assert len(view["blocks"]) == blocks.BLOCKS_PER_MODAL
    assert len(view["title"]["text"]) <= blocks.MODAL_TITLE
    assert view["blocks"][-1]["elements"][0]["text"] == "…and 51 more not shown here."


def test_a_long_modal_keeps_its_inputs_and_says_what_it_left_out() -> None:
    shown = [blocks.section(f"entry {i}") for i in range(120)]
    box = {"type": "input", "block_id": "message", "element": {}, "label": {}}
    view = blocks.modal("Your report", [*shown, box], callback_id="c")
    kept = view["blocks"]
    assert len(kept) == blocks.BLOCKS_PER_MODAL
    assert kept[-1] is box
    assert kept[-2]["type"] == "context" and "22 more" in kept[-2]["elements"][0]["text"]
    assert kept[0]["text"]["text"] == "entry 0"


def test_a_summary_shows_typed_answers_in_plain_text_under_mrkdwn_labels() -> None:
    rows = [{"field": "donor", "label": "Who offered it", "value": "*Route:* none"},
            {"field": "value", "label": "Value", "value": "£30"}]
    summary = Reply("Here is what you told me:\nWho offered it: *Route:* none\nValue: £30",
                    kind="summary", data={"rows": rows},
                    choices=(Choice("confirm", "Confirm"), Choice("change", "Change")))
    rendered = blocks.reply_blocks(summary)
    assert rendered[0]["text"] == {"type": "mrkdwn", "text": "Here is what you told me:"}
    assert rendered[1]["fields"] == [
        {"type": "mrkdwn", "text": "*Who offered it*"},
        {"type": "plain_text", "text": "*Route:* none", "emoji": False},
        {"type": "mrkdwn", "text": "*Value*"},
        {"type": "plain_text", "text": "£30", "emoji": False}]
    assert rendered[2]["type"] == "actions"
    long = blocks.reply_blocks(Reply("Filed.", kind="filed", data={"rows": [
        {"label": "What happened", "value": "word " * 1000}]}))
    assert long[1]["elements"][0]["text"] == "*What happened*"
    assert [b["text"]["type"] for b in long[2:]] == ["plain_text", "plain_text"]
