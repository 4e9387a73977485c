"""Which web parts `probity serve --http` mounts: the one place they are assembled."""

from __future__ import annotations

from bot.config import Settings
from bot.surfaces.web.app import WebPart


def web_parts(settings: Settings) -> list[WebPart]:
    """The console and the anonymous report form, each built from `settings`.

    Each part's module is imported here, when the server starts, so `probity --help` and the
    other commands never load the web stack.
    """
    from bot.surfaces.web.console.part import console_part
    from bot.surfaces.web.intake.part import intake_part

    parts: list[WebPart] = [console_part(settings), intake_part(settings)]
    return parts
