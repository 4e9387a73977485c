"""Sealing report content at rest with a key held outside the database (libsodium SecretBox).

A sealed value is: version byte, an 8-byte key id, then SecretBox's nonce and ciphertext.
The key id lets Probity say which key a value needs (useful mid-rotation) without revealing
the key. Each value is bound to its purpose ("R-2026-0042/content"), so someone who can write
to the database cannot move a sealed identity or message from one report to another.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import Iterable
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox
from nacl.utils import random as random_bytes

from bot.config import Settings
from bot.messages import say
from bot.store.keyfiles import KeyFileError, decode_key_text, write_key_file

KEY_FILE_NAME = "report.key"
#: Written before a rotation starts; becomes report.key once the re-sealed rows commit.
NEW_KEY_FILE_NAME = "report.key.new"
_FORMAT_VERSION = b"\x01"
_KEY_ID_LENGTH = 8


class SealingError(RuntimeError):
    """A sealed value cannot be opened: wrong key, damaged, or moved from elsewhere."""


def key_id(key: bytes) -> bytes:
    # A keyed hash of a fixed label, so the id identifies the key without helping find it.
    return hashlib.blake2b(b"probity report key id", key=key, digest_size=_KEY_ID_LENGTH).digest()


def generate_key() -> bytes:
    return random_bytes(SecretBox.KEY_SIZE)


def encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def decode_key(text: str) -> bytes:
    try:
        return decode_key_text(text, SecretBox.KEY_SIZE)
    except KeyFileError as problem:
        raise SealingError(say("reporting.bad_key", problem=problem)) from None


def read_key_file(path: Path) -> bytes:
    return decode_key(path.read_text())


def _refuse_new_key_if_needed(settings: Settings, path: Path) -> None:
    """A missing key file is a lost key, not a first start, when anything is sealed: a new
    key would seal new reports beside old ones nobody can read (issue 13)."""
    from bot.reporting.vault.keycheck import key_ids_in_use

    in_use = key_ids_in_use(settings)
    if in_use:
        key, count = in_use.most_common(1)[0]
        raise SealingError(say("reporting.key_missing", path=path, key_id=key, count=count))


class Sealer:
    """Seals with one key and opens with any key it holds (the current one, and a new one
    left behind by an interrupted rotation)."""

    def __init__(self, key: bytes, extra_keys: Iterable[bytes] = ()) -> None:
        self._primary_id = key_id(key)
        self._boxes = {key_id(k): SecretBox(k) for k in (*extra_keys, key)}
        self._digest_key = hashlib.blake2b(b"probity idempotency", key=key).digest()

    @classmethod
    def from_settings(cls, settings: Settings) -> Sealer:
        """The key from PROBITY_REPORT_KEY, else PROBITY_HOME/report.key (created on first use)."""
        new_path = settings.home / NEW_KEY_FILE_NAME
        extra = [read_key_file(new_path)] if new_path.exists() else []
        if settings.report_key:
            return cls(decode_key(settings.report_key), extra)
        path = settings.home / KEY_FILE_NAME
        if not path.exists():
            _refuse_new_key_if_needed(settings, path)
            settings.ensure_home()
            # If another process created it first, use theirs.
            with contextlib.suppress(FileExistsError):
                write_key_file(path, generate_key())
        return cls(read_key_file(path), extra)

    @property
    def key_id(self) -> str:
        return self._primary_id.hex()

    def seal(self, value: str, purpose: str) -> bytes:
        plaintext = purpose.encode() + b"\x00" + value.encode()
        return _FORMAT_VERSION + self._primary_id + bytes(self._boxes[self._primary_id].encrypt(
            plaintext))

    def open(self, sealed: bytes, purpose: str) -> str:
        sealed = bytes(sealed)
        if sealed[:1] != _FORMAT_VERSION:
            raise SealingError(say("reporting.unknown_sealed_format"))
        wanted = sealed[1:1 + _KEY_ID_LENGTH]
        box = self._boxes.get(wanted)
        if box is None:
            raise SealingError(say("reporting.sealed_under_other_key", wanted=wanted.hex(),
                                   held=self.key_id))
        try:
            plaintext = box.decrypt(sealed[1 + _KEY_ID_LENGTH:])
        except CryptoError:
            raise SealingError(say("reporting.sealed_damaged")) from None
        label, _, value = plaintext.partition(b"\x00")
        if label != purpose.encode():
            raise SealingError(say("reporting.sealed_elsewhere"))
        return value.decode()

    def digest(self, text: str) -> str:
        """A keyed fingerprint (for idempotency keys): stable, but useless without the key."""
        return hashlib.blake2b(text.encode(), key=self._digest_key, digest_size=20).hexdigest()
