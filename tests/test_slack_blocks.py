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
    text = json.dumps(rendered)
    assert "<!here>" not in text and "<@U0X>" not in text
    assert "&lt;@U0X&gt; &amp; co" in text


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


def test_long_text_is_cut_to_the_section_limit() -> None:
    rendered = blocks.reply_blocks(Reply("x" * 10_000))
    assert len(rendered[0]["text"]["text"]) == blocks.SECTION_TEXT
    assert rendered[0]["text"]["text"].endswith("…")


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
