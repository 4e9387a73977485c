"""Making typed text safe to show in Slack mrkdwn, and cutting it to Block Kit's limits."""

from __future__ import annotations

import re

ELLIPSIS = "…"

# A zero-width joiner after the @ stops Slack treating these words as broadcast mentions
# in surfaces that parse plain names, while the text still reads the same.
_BROADCASTS = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_ENTITY_TAIL = re.compile(r"&[a-z]{0,4}$")


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


def plain(text: str, limit: int) -> str:
    """Text for a plain_text field (buttons, options, titles): no escaping needed, only a cut."""
    return truncate(" ".join(text.split()), limit)
