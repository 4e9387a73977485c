"""Rendering the core's Replies as Block Kit, within Slack's limits.

Anything a person typed reaches here inside Reply.text or Reply.data and is escaped before
it goes into mrkdwn; policy passages are escaped too, since a document may contain < or &.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.messages import say
from bot.surfaces.slack.escaping import escape_mrkdwn, plain, split_text, truncate
from bot.turns import Citation, Reply

# Block Kit limits (https://api.slack.com/reference/block-kit).
SECTION_TEXT = 3000
CONTEXT_TEXT = 2000
HEADER_TEXT = 150
BUTTON_TEXT = 75
FIELD_TEXT = 2000
FIELDS_PER_SECTION = 10
OPTION_TEXT = 75
BUTTON_VALUE = 2000
ELEMENTS_PER_ACTIONS = 25
OPTIONS_PER_SELECT = 100
BLOCKS_PER_MESSAGE = 50
BLOCKS_PER_MODAL = 100
MODAL_TITLE = 24
FALLBACK_TEXT = 3000

# Action ids the listeners subscribe to; the value carries what the core needs back.
CHOICE_ACTION = "probity_choice"
DATE_ACTION = "probity_date"
PERSON_ACTION = "probity_person"
SELECT_ACTION = "probity_select"
FEEDBACK_ACTION = "probity_feedback"
ASK_UNIT_ACTION = "probity_ask_unit"

# How many choices still read well as a row of buttons before a menu is kinder.
_MAX_BUTTONS = 5
_PASSAGE_PREVIEW = 500

_ICONS = {"warning": ":warning: ", "problem": ":grey_exclamation: ", "filed": ":white_check_mark: "}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def plain_text(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": plain(text, limit) or " ", "emoji": True}


def section(text: str, *, escape: bool = True, block_id: str | None = None) -> dict[str, Any]:
    body = escape_mrkdwn(text) if escape else text
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(truncate(body, SECTION_TEXT) or " ")}
    if block_id:
        block["block_id"] = block_id
    return block


def sections(text: str, *, escape: bool = True, prefix: str = "") -> list[dict[str, Any]]:
    """Long text as several section blocks, cut at line or sentence ends, none cut short.

    `prefix` (an icon, a quote mark) starts the first piece and counts towards its room.
    """
    body = escape_mrkdwn(text) if escape else text
    pieces = split_text(body, SECTION_TEXT - len(prefix)) or [""]
    pieces[0] = prefix + pieces[0]
    return [{"type": "section", "text": mrkdwn(piece or " ")} for piece in pieces]


def plain_section(text: str) -> dict[str, Any]:
    """Typed text shown as plain text: Slack reads no *bold*, links or mentions in it."""
    return {"type": "section", "text": {"type": "plain_text", "text": text or " ",
                                        "emoji": False}}


def plain_sections(text: str) -> list[dict[str, Any]]:
    """Typed text of any length as plain-text sections, cut at line or sentence ends."""
    return [plain_section(piece) for piece in split_text(text, SECTION_TEXT) or [" "]]


def labelled(label: str, value: str) -> dict[str, Any]:
    """A context line: a label in mrkdwn (Probity's words), the value in plain text (typed).

    Slack has no escape for * _ ~ or backticks, so typed text in mrkdwn could imitate
    Probity's own labels; in a plain_text element it is shown exactly as typed.
    """
    return {"type": "context", "elements": [
        mrkdwn(truncate(label, CONTEXT_TEXT)),
        {"type": "plain_text", "text": truncate(value, CONTEXT_TEXT) or " ", "emoji": False}]}


def labelled_blocks(label: str, value: str) -> list[dict[str, Any]]:
    """`labelled`, or for a value too long for a context line, the label and then the value
    in plain sections."""
    if len(value) <= CONTEXT_TEXT:
        return [labelled(label, value)]
    return [context(label, escape=False), *plain_sections(value)]


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain_text(text, HEADER_TEXT)}


def context(text: str, *, escape: bool = True) -> dict[str, Any]:
    body = escape_mrkdwn(text) if escape else text
    return {"type": "context", "elements": [mrkdwn(truncate(body, CONTEXT_TEXT))]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain_text(text, BUTTON_TEXT),
                               "action_id": action_id, "value": value[:BUTTON_VALUE]}
    if style in {"primary", "danger"}:
        element["style"] = style
    return element


def option(label: str, value: str) -> dict[str, Any]:
    return {"text": plain_text(label, OPTION_TEXT), "value": value[:150]}


class RepeatedId(ValueError):
    """Two elements of one block share an action_id, or two blocks of one view a block_id:
    Slack refuses the whole view or message (invalid_blocks)."""


def repeated_ids(blocks: Sequence[dict[str, Any]]) -> list[str]:
    """Every action_id repeated within a block and block_id repeated within `blocks`."""
    found: list[str] = []
    block_ids = [b["block_id"] for b in blocks if b.get("block_id")]
    found += [f"block_id {i}" for i in sorted({i for i in block_ids if block_ids.count(i) > 1})]
    for block in blocks:
        elements = list(block.get("elements") or [])
        for part in ("element", "accessory"):
            if isinstance(block.get(part), dict):
                elements.append(block[part])
        action_ids = [e["action_id"] for e in elements
                      if isinstance(e, dict) and e.get("action_id")]
        found += [f"action_id {a} in block {block.get('block_id') or block.get('type')}"
                  for a in sorted({a for a in action_ids if action_ids.count(a) > 1})]
    return found


#: Marks a repeated block_id made distinct; readers of a block id drop it (`base_block_id`).
REPEAT_MARK = "~"


def distinct_block_ids(blocks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of `blocks` in which a block_id met again (two answers in one message, each
    with its feedback buttons) gets "~2", "~3": unique within the message by construction."""
    seen: dict[str, int] = {}
    distinct = []
    for block in blocks:
        block_id = block.get("block_id")
        if block_id:
            seen[block_id] = seen.get(block_id, 0) + 1
            if seen[block_id] > 1:
                block = {**block, "block_id": f"{block_id}{REPEAT_MARK}{seen[block_id]}"}
        distinct.append(block)
    return distinct


def base_block_id(block_id: str) -> str:
    return block_id.split(REPEAT_MARK, 1)[0]


def checked(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`blocks`, once it is certain Slack will not refuse them for a repeated id."""
    repeated = repeated_ids(blocks)
    if repeated:
        raise RepeatedId(", ".join(repeated))
    return blocks


def actions(elements: Sequence[dict[str, Any]], block_id: str | None = None
            ) -> list[dict[str, Any]]:
    """One or more actions blocks: Slack allows 25 elements in each, each with its own
    action_id (a repeated one raises RepeatedId)."""
    action_ids = [e.get("action_id") for e in elements if e.get("action_id")]
    if len(action_ids) != len(set(action_ids)):
        raise RepeatedId(repr(action_ids))
    blocks = []
    for start in range(0, len(elements), ELEMENTS_PER_ACTIONS):
        block: dict[str, Any] = {"type": "actions",
                                 "elements": list(elements[start:start + ELEMENTS_PER_ACTIONS])}
        if block_id:
            block["block_id"] = block_id if start == 0 else f"{block_id}_{start}"
        blocks.append(block)
    return blocks


def reply_blocks(reply: Reply) -> list[dict[str, Any]]:
    """The blocks for one Reply; long text runs on over several sections, never cut.

    Where the core gives typed values as rows (a summary, a filing, "my declarations"),
    they are shown from the rows in plain text rather than from the reply's text, so what
    a person typed can never pass for Probity's own bold labels.
    """
    rows = reply.data.get("rows") if isinstance(reply.data, dict) else None
    if reply.kind == "list" and rows:
        blocks = [block for row in rows for block in declaration_row(row)]
    elif reply.kind == "summary" and rows:
        blocks = sections(_without_rows(reply.text, rows)) + _summary_rows(rows)
    else:
        blocks = sections(reply.text, prefix=_ICONS.get(reply.kind, ""))
        if reply.kind == "filed":
            # A summary's text already lists the answers; a filing's does not, so show them.
            blocks.extend(_summary_rows(rows))
    if reply.kind == "question" and reply.field:
        # Names the field being asked, for listeners and tests reading a posted message.
        blocks[0]["block_id"] = f"q:{reply.field}"[:255]
    if reply.citations:
        blocks.extend(citation_blocks(reply.citations))
    blocks.extend(_inputs(reply))
    if reply.kind == "answer":
        blocks.extend(feedback_blocks(reply))
    return blocks


def _without_rows(text: str, rows: Any) -> str:
    """A summary's introduction: its text without the "label: value" lines the rows give."""
    pairs = _pairs(rows)
    listed = "\n".join(f"{label}: {value}" for label, value in pairs)
    if pairs and text.endswith(listed):
        return text[: len(text) - len(listed)].rstrip() or " "
    return text.split("\n", 1)[0]


def declaration_row(row: dict[str, Any]) -> list[dict[str, Any]]:
    """One of "my declarations": reference, kind and status in mrkdwn, and what was
    declared and the unit's reasons (both typed) in plain text beside them."""
    line = (f"*{escape_mrkdwn(str(row.get('reference', '')))}* "
            f"{escape_mrkdwn(str(row.get('title', '')))}\n"
            f"Status: {escape_mrkdwn(str(row.get('status', '')))}")
    if row.get("decision"):
        line += f". Decision: {escape_mrkdwn(str(row['decision']))}"
    typed = [str(row[key]) for key in ("description", "rationale") if row.get(key)]
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(line)}
    if all(len(value) <= FIELD_TEXT for value in typed):
        if typed:
            block["fields"] = [{"type": "plain_text", "text": value, "emoji": False}
                               for value in typed]
        return [block]
    # Too long for a field: the typed text runs on in plain sections of its own.
    return [block, *(piece for value in typed for piece in plain_sections(value))]


def citation_blocks(citations: Iterable[Citation]) -> list[dict[str, Any]]:
    blocks = []
    for citation in citations:
        source = f"*{escape_mrkdwn(citation.title)}*, section {escape_mrkdwn(citation.section)}"
        blocks.append(context(f":page_facing_up: {source} ({escape_mrkdwn(citation.document)})",
                              escape=False))
        if citation.text:
            passage = truncate(" ".join(citation.text.split()), _PASSAGE_PREVIEW)
            blocks.append(section("> " + escape_mrkdwn(passage), escape=False))
    return blocks


def feedback_blocks(reply: Reply) -> list[dict[str, Any]]:
    """"Was this helpful?" and a way to the integrity unit; the vote carries no identity."""
    top = reply.citations[0] if reply.citations else None
    vote = {"document": top.document if top else None, "section": top.section if top else None}
    return [
        context(say("slack.feedback_prompt")),
        *actions([
            button(say("slack.feedback_yes"), FEEDBACK_ACTION + "_yes",
                   json.dumps({**vote, "helpful": True})),
            button(say("slack.feedback_no"), FEEDBACK_ACTION + "_no",
                   json.dumps({**vote, "helpful": False})),
            button(say("slack.ask_unit"), ASK_UNIT_ACTION, "ask"),
        ], block_id="feedback"),
    ]


def _pairs(rows: Any) -> list[tuple[str, str]]:
    if isinstance(rows, dict):
        return [(str(label), str(value)) for label, value in rows.items()]
    # the engine's rows: [{"field", "label", "value"}, ...]
    return [(str(row.get("label", "")), str(row.get("value", ""))) for row in rows or []
            if isinstance(row, dict)]


def _summary_rows(rows: Any) -> list[dict[str, Any]]:
    """Answers as a two-column table: each label in mrkdwn, each typed value in plain text."""
    blocks: list[dict[str, Any]] = []
    fields: list[dict[str, Any]] = []

    def flush() -> None:
        if fields:
            blocks.append({"type": "section", "fields": list(fields)})
            fields.clear()

    for label, value in _pairs(rows):
        label_text = mrkdwn(truncate(f"*{escape_mrkdwn(label)}*", FIELD_TEXT))
        if len(value) > FIELD_TEXT:  # a long answer gets its own label and plain sections
            flush()
            blocks.append({"type": "context", "elements": [label_text]})
            blocks.extend(plain_sections(value))
            continue
        fields += [label_text, {"type": "plain_text", "text": value or " ", "emoji": False}]
        if len(fields) == FIELDS_PER_SECTION:
            flush()
    flush()
    return blocks


def _inputs(reply: Reply) -> list[dict[str, Any]]:
    """Buttons, a menu, a date picker or a user picker, as the question's field needs."""
    field = reply.field or "value"
    if reply.field_type == "date":
        return actions([{"type": "datepicker", "action_id": DATE_ACTION,
                         "placeholder": plain_text(say("slack.pick_a_date"), 150)}],
                       block_id=f"f:{field}")
    if reply.field_type == "person":
        picker = actions([{"type": "users_select", "action_id": PERSON_ACTION,
                           "placeholder": plain_text(say("slack.choose_a_person"), 150)}],
                         block_id=f"f:{field}")
        return picker + _choice_elements(reply)
    return _choice_elements(reply)


def _choice_elements(reply: Reply) -> list[dict[str, Any]]:
    if not reply.choices:
        return []
    field = reply.field or "value"
    if len(reply.choices) > _MAX_BUTTONS and reply.kind == "question":
        menu = {"type": "static_select", "action_id": SELECT_ACTION,
                "placeholder": plain_text("Choose one", 150),
                "options": [option(c.label, c.value)
                            for c in reply.choices[:OPTIONS_PER_SELECT]]}
        return actions([menu], block_id=f"f:{field}")
    elements: list[dict[str, Any]] = []
    for choice in reply.choices:
        style = "primary" if choice.value in {"confirm", "submit", "yes"} else None
        elements.append(button(choice.label, f"{CHOICE_ACTION}:{len(elements)}", choice.value,
                               style))
    return actions(elements, block_id=f"c:{field}")


@dataclass(frozen=True)
class Message:
    """One chat message: its blocks and the notification text that goes with them."""

    text: str
    blocks: list[dict[str, Any]]


def messages(replies: Sequence[Reply]) -> list[Message]:
    """A turn's replies as messages of at most 50 blocks each.

    A reply too long for one message continues in the next; buttons always travel with the
    block that introduces them ("Was this helpful?", a question), so no message ends on a
    question whose buttons went to the next, and none are dropped.
    """
    found: list[Message] = []
    current: list[dict[str, Any]] = []
    texts: list[str] = []

    def close() -> None:
        if current:
            found.append(Message(_fallback(texts) or CONTINUED, distinct_block_ids(current)))
            current.clear()
            texts.clear()

    for reply in replies:
        units = _units(reply_blocks(reply))
        # A reply that fits in a fresh message starts one rather than straddling two.
        if len(current) + sum(map(len, units)) > BLOCKS_PER_MESSAGE:
            close()
        if reply.text:
            texts.append(reply.text)
        for unit in units:
            if len(current) + len(unit) > BLOCKS_PER_MESSAGE:
                close()
            current.extend(unit[:BLOCKS_PER_MESSAGE])
    close()
    return found


#: The notification text of a message that only continues a reply begun in the one before.
CONTINUED = "(continued)"


def _units(blocks: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Blocks grouped so each run of actions blocks stays with the block before it."""
    units: list[list[dict[str, Any]]] = []
    for block in blocks:
        if block.get("type") == "actions" and units:
            units[-1].append(block)
        else:
            units.append([block])
    return units


def message_blocks(replies: Sequence[Reply]) -> list[list[dict[str, Any]]]:
    """Blocks for a turn's replies, split into messages of at most 50 blocks each."""
    return [message.blocks for message in messages(replies)]


def fallback_text(replies: Sequence[Reply]) -> str:
    """The notification and screen-reader text Slack shows alongside blocks."""
    return _fallback([r.text for r in replies if r.text])


def _fallback(texts: Sequence[str]) -> str:
    return truncate("\n".join(escape_mrkdwn(text) for text in texts), FALLBACK_TEXT)


def more_line(hidden: int, what: str = "more") -> dict[str, Any]:
    """The last line of a shortened list: how much is not shown and where to see it all."""
    return context(say("slack.more_declarations", hidden=hidden, what=what), escape=False)


def modal(title: str, blocks: list[dict[str, Any]], *, callback_id: str,
          submit: str | None = "Submit", close: str = "Cancel",
          private_metadata: str = "") -> dict[str, Any]:
    """A modal view within Slack's 100 blocks (see `within_modal_limit`)."""
    view: dict[str, Any] = {
        "type": "modal", "callback_id": callback_id, "title": plain_text(title, MODAL_TITLE),
        "close": plain_text(close, MODAL_TITLE), "blocks": checked(within_modal_limit(blocks)),
        "private_metadata": private_metadata[:3000],
    }
    if submit:
        view["submit"] = plain_text(submit, MODAL_TITLE)
    return view


def within_modal_limit(blocks: list[dict[str, Any]], limit: int = BLOCKS_PER_MODAL
                       ) -> list[dict[str, Any]]:
    """At most `limit` blocks: every input and button kept (they are what the form is for),
    the text that does not fit dropped from the end, and a line saying how much was left."""
    if len(blocks) <= limit:
        return blocks
    needed = {i for i, b in enumerate(blocks) if b.get("type") in {"input", "actions"}}
    text = [i for i in range(len(blocks)) if i not in needed]
    shown = needed | set(text[:max(limit - len(needed) - 1, 0)])
    kept: list[dict[str, Any]] = []
    noted = False
    for i, block in enumerate(blocks):
        if i in shown:
            kept.append(block)
        elif not noted:
            hidden = len(blocks) - len(shown)
            kept.append(context(say("slack.more_not_shown", hidden=hidden)))
            noted = True
    return kept[:limit]
