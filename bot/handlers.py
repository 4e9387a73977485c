"""Who belongs to the integrity unit: the one test both casework and reporting apply."""

from __future__ import annotations

from collections.abc import Iterable


def is_handler(surface: str, surface_id: str, handlers: Iterable[str]) -> bool:
    """True when settings.handlers lists this person by surface id or "surface:id".

    Matching is on the surface's own identifier only, never a display name (anyone can
    change theirs on Slack). A bare id ("U123", "owen.price") matches on any surface;
    "slack:U123" names one surface explicitly.
    """
    if not surface_id:
        return False
    own = {surface_id, f"{surface}:{surface_id}"}
    return any(handler.strip() in own for handler in handlers)
