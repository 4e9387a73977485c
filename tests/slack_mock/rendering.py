"""Reading what Slack would render from the blocks the app sent: mrkdwn text (parsed for
mentions, links and formatting) apart from plain_text (shown exactly as written)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def texts_of(value: Any, kind: str) -> Iterator[str]:
    """Every text object of `kind` ("mrkdwn" or "plain_text") anywhere inside `value`."""
    if isinstance(value, dict):
        if value.get("type") == kind and isinstance(value.get("text"), str):
            yield value["text"]
        for inner in value.values():
            yield from texts_of(inner, kind)
    elif isinstance(value, list):
        for inner in value:
            yield from texts_of(inner, kind)


def mrkdwn_text(value: Any) -> str:
    """All the mrkdwn Slack would parse in `value`, joined: assert typed text is not here."""
    return "\n".join(texts_of(value, "mrkdwn"))


def plain_text(value: Any) -> str:
    return "\n".join(texts_of(value, "plain_text"))
