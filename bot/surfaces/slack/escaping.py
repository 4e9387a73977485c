"""Making typed text safe to show in Slack mrkdwn, and cutting it to Block Kit's limits."""

from __future__ import annotations

import re

ELLIPSIS = "…"

# A zero-width joiner after the @ stops Slack treating these words as broadcast mentions
# in surfaces that parse plain names, while the text still reads the same.
_BROADCASTS = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_ENTITY_TAIL = re.compile(r"&[a-z]{0,4}$")
# The end of a sentence: its closing mark (and any quote or bracket) and the space after it.
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s")


def escape_mrkdwn(text: str) -> str:
    """Text a person typed, shown literally: no mentions, no @channel, no disguised links.

    Slack only needs &, < and > escaped; every special form (<!channel>, <@U123>,
    <https://x|label>) starts with <, so escaping it turns them into plain characters.
    """
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCASTS.sub(lambda m: "@\u2060" + m.group(1), escaped)


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, ending in an ellipsis when cut; never splits an &entity;."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(ELLIPSIS), 0)]
    # Cutting "&amp;" to "&am" would show garbage; drop the partial entity instead.
    cut = _ENTITY_TAIL.sub("", cut)
    return cut.rstrip() + ELLIPSIS


def split_text(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, none of them empty.

    Each cut falls at the last line break in reach, else the last sentence end, else the
    last space, and never inside an &entity;, so every piece reads on its own and shows no
    half escape.
    """
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit + 1]
        cut = _boundary(window, limit)
        piece = rest[:cut].rstrip()
        if not piece:  # only spaces before the cut: take the hard cut instead
            piece, cut = rest[:limit], limit
        pieces.append(piece)
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _boundary(window: str, limit: int) -> int:
    """Where to cut `window` (limit + 1 characters) so the first part has at most `limit`."""
    # Not a cut that leaves nearly nothing: a piece should carry at least half its room.
    floor = limit // 2
    line = window.rfind("\n", floor, limit + 1)
    if line > 0:
        return line
    sentence = max((m.end() for m in _SENTENCE_END.finditer(window, floor)
                    if m.end() <= limit), default=-1)
    if sentence > 0:
        return sentence
    space = window.rfind(" ", floor, limit + 1)
    if space > 0:
        return space
    # No boundary at all: a hard cut, moved back before an entity it would split.
    partial = _ENTITY_TAIL.search(window[:limit])
    return partial.start() if partial and partial.start() > 0 else limit


def plain(text: str, limit: int) -> str:
    """Text for a plain_text field (buttons, options, titles): no escaping needed, only a cut."""
    return truncate(" ".join(text.split()), limit)
