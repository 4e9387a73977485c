"""Every sentence the console's templates say is in the English catalogue."""

from __future__ import annotations

import re
from pathlib import Path

from bot.messages import BUNDLED, Catalogue
from bot.store.models import DeclarationStatus
from bot.surfaces.web.console.context import HERE

SAID = re.compile(r"""say\(\s*["']([a-z_]+\.[a-z0-9_]+)["']""")
#: Keys a template builds from a value: say("console.notice_" ~ key) and the like.
BUILT = {
    "console.notice_": ["assigned", "assign_failed", "decided", "asked", "answered", "endorsed",
                        "appeal_decided", "sent", "status_changed", "excluded", "restored",
                        "published"],
    "console.role_": ["handler", "line_manager"],
    "console.excluded_": ["redact", "hold"],
}


def test_every_key_a_console_template_says_is_in_the_catalogue():
    english = Catalogue.load(BUNDLED).keys("en")
    said = {key for path in Path(HERE / "templates").glob("*.html")
            for key in SAID.findall(path.read_text(encoding="utf-8")) if not key.endswith("_")}
    said |= {prefix + value for prefix, values in BUILT.items() for value in values}
    assert len(said) > 150
    assert sorted(said - english) == []


def test_every_status_has_plain_words():
    english = Catalogue.load(BUNDLED).keys("en")
    assert all(f"labels.status_{status}" in english for status in DeclarationStatus)
