"""Sealing: a key outside the database, values bound to their place, rotation."""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from bot.reporting.sealing import (
    KEY_FILE_NAME,
    Sealer,
    SealingError,
    encode_key,
    generate_key,
)


def test_the_key_file_is_created_on_first_use_for_the_owner_only(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    first = Sealer.from_settings(settings)
    key_file = tmp_path / "home" / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = Sealer.from_settings(settings)
    assert again.key_id == first.key_id
    assert again.open(first.seal("hello", "R-2026-0001/content"), "R-2026-0001/content") == "hello"


def test_a_key_from_the_environment_is_used_and_no_file_is_written(tmp_path: Path) -> None:
    key = generate_key()
    settings = Settings(home=tmp_path / "home", report_key=encode_key(key))
    assert Sealer.from_settings(settings).key_id == Sealer(key).key_id
    assert not (tmp_path / "home" / KEY_FILE_NAME).exists()


def test_a_malformed_key_is_refused_plainly(tmp_path: Path) -> None:
    with pytest.raises(SealingError, match="base64"):
        Sealer.from_settings(Settings(home=tmp_path, report_key="not base64!"))
    with pytest.raises(SealingError, match="32 bytes"):
        Sealer.from_settings(Settings(home=tmp_path, report_key=encode_key(b"short")))


def test_sealed_bytes_hide_the_text_and_differ_each_time() -> None:
    sealer = Sealer(generate_key())
    text = "The duty inspector takes cash from the tow-truck firm"
    one, two = sealer.seal(text, "R-2026-0001/content"), sealer.seal(text, "R-2026-0001/content")
    assert one != two
    assert text.encode() not in one and b"tow-truck" not in one


def test_a_value_moved_to_another_report_or_key_does_not_open() -> None:
    sealer = Sealer(generate_key())
    sealed = sealer.seal("Jane Doe", "R-2026-0001/identity")
    with pytest.raises(SealingError, match="somewhere else"):
        sealer.open(sealed, "R-2026-0002/identity")
    with pytest.raises(SealingError, match="does not hold"):
        Sealer(generate_key()).open(sealed, "R-2026-0001/identity")
    damaged = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(SealingError, match="damaged"):
        sealer.open(damaged, "R-2026-0001/identity")


def test_a_sealer_opens_values_under_a_staged_new_key(tmp_path: Path) -> None:
    settings = replace(Settings(home=tmp_path / "home"))
    old = Sealer.from_settings(settings)
    new_key = generate_key()
    (tmp_path / "home" / "report.key.new").write_text(encode_key(new_key))
    both = Sealer.from_settings(settings)
    assert both.key_id == old.key_id
    assert both.open(Sealer(new_key).seal("x", "p"), "p") == "x"
