"""Who is at the command line: the operating-system user, or a handler's key file, mapped to
the integrity-unit handlers they may act as.

`--as NAME` was a claim: any string, and the audit log blamed whoever was named. Now the
shell user must be listed in PROBITY_HOME/operators.yaml, written by whoever administers
the server:

    psd.khan:                      # a handler's directory key or Slack id
      os_users: [skhan]            # operating-system users who are this handler
      key_sha256: [3f2a...]        # or the SHA-256 of a key file they hold
                                   # (PROBITY_OPERATOR_KEY=/path/to/their.key)

and `--as` is checked against it. Someone with the service account's own shell, or root,
can edit that file, the database and the keys: that is full trust, and no check here can
stop it (README, Privacy and security).
"""

from __future__ import annotations

import getpass
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.messages import say
from bot.yamlio import load_yaml_file

OPERATORS_FILE = "operators.yaml"
#: Path to the key file of the handler at the keyboard (instead of the OS user).
KEY_VARIABLE = "PROBITY_OPERATOR_KEY"


class OperatorRefused(PermissionError):
    """The person at the shell is not (or not this) handler; the message says which."""


@dataclass(frozen=True)
class Operator:
    """The shell's user and the handler names they may act as."""

    os_user: str
    handlers: tuple[str, ...]
    #: How they were recognised: "os user" or "key file".
    by: str

    @property
    def actor(self) -> str:
        return f"os:{self.os_user}"


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _entries(settings: Settings) -> dict[str, dict[str, list[str]]]:
    path = settings.home / OPERATORS_FILE
    if not path.exists():
        return {}
    loaded = load_yaml_file(path) or {}
    if not isinstance(loaded, dict):
        return {}
    entries: dict[str, dict[str, list[str]]] = {}
    for name, entry in loaded.items():
        entry = entry if isinstance(entry, dict) else {}
        entries[str(name)] = {field: [str(v) for v in entry.get(field) or []]
                              for field in ("os_users", "key_sha256")}
    return entries


def current_operator(settings: Settings, environ: dict[str, str] | None = None) -> Operator:
    """The operator at this shell, with the handlers they are listed as (maybe none)."""
    environ = dict(os.environ) if environ is None else environ
    user, entries = os_user(), _entries(settings)
    key_path = environ.get(KEY_VARIABLE)
    if key_path:
        try:
            digest = hashlib.sha256(Path(key_path).read_bytes().strip()).hexdigest()
        except OSError:
            digest = ""
        names = tuple(name for name, entry in entries.items() if digest in entry["key_sha256"])
        return Operator(user, names, "key file")
    return Operator(user, tuple(name for name, entry in entries.items()
                                if user in entry["os_users"]), "os user")


def acting_handler(settings: Settings, claimed: str | None) -> tuple[Operator, str]:
    """The handler name this command runs as: `claimed` if the operator may act as it, or
    their only handler when none is claimed. Raises OperatorRefused otherwise."""
    operator = current_operator(settings)
    if not operator.handlers:
        raise OperatorRefused(say("audit.not_an_operator", user=operator.os_user,
                                  file=settings.home / OPERATORS_FILE))
    if claimed is None:
        if len(operator.handlers) > 1:
            raise OperatorRefused(say("audit.choose_identity", user=operator.os_user,
                                      names=", ".join(operator.handlers)))
        return operator, operator.handlers[0]
    if claimed.strip() not in operator.handlers:
        raise OperatorRefused(say("audit.not_you", user=operator.os_user, claimed=claimed,
                                  names=", ".join(operator.handlers)))
    return operator, claimed.strip()


def add_operator(settings: Settings, handler: str, *, os_users: tuple[str, ...] = (),
                 key_file: Path | None = None) -> Path | None:
    """List `handler` in operators.yaml for these OS users, and if asked make them a key
    file (owner-only) whose digest is listed; returns the key file's path."""
    import yaml

    from bot.store.keyfiles import write_key_file

    entries = _entries(settings)
    entry = entries.setdefault(handler, {"os_users": [], "key_sha256": []})
    entry["os_users"] = sorted({*entry["os_users"], *os_users})
    if key_file is not None:
        write_key_file(key_file, secrets.token_bytes(32))
        entry["key_sha256"].append(hashlib.sha256(key_file.read_bytes().strip()).hexdigest())
    settings.ensure_home()
    path = settings.home / OPERATORS_FILE
    temporary = path.with_name(f".{OPERATORS_FILE}.{secrets.token_hex(4)}")
    temporary.write_text(yaml.safe_dump(entries, sort_keys=True))
    temporary.chmod(0o600)
    os.replace(temporary, path)
    return key_file
