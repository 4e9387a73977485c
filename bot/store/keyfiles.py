"""Secret key files under PROBITY_HOME: written once, owner-only, never overwritten."""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import secrets
from pathlib import Path

from bot.messages import say


class KeyFileError(ValueError):
    """A key file that cannot be used; the message says why."""


def write_key_file(path: Path, key: bytes) -> None:
    """Create `path` holding `key` (base64), readable by its owner only; never overwrite.

    Written to a temporary name and linked into place, so nobody can read a half-written key;
    the link fails if `path` exists, so two processes starting at once agree on one key.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(base64.b64encode(key).decode("ascii") + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def decode_key_text(text: str, size: int) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFileError(say("audit.key_not_base64")) from None
    if len(key) != size:
        raise KeyFileError(say("audit.key_wrong_size", size=size, got=len(key)))
    return key


def load_or_create_key(path: Path, size: int = 32) -> bytes:
    """The key in `path`, made from the secure random source the first time."""
    if not path.exists():
        # If another process created it first, use theirs.
        with contextlib.suppress(FileExistsError):
            write_key_file(path, secrets.token_bytes(size))
    return decode_key_text(path.read_text(), size)
