"""Reading YAML safely and quickly: libyaml's C loader when installed, else PyYAML's own."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import yaml

# The C loader parses the bundled workflows and knowledge several times faster; it accepts
# the same safe subset of YAML, so the choice changes speed, never meaning.
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: What a malformed document raises, so callers need not import yaml themselves.
YAMLError = yaml.YAMLError


def load_yaml(text: str | IO[str]) -> Any:
    """Parse one YAML document (text or an open file) with the safe loader (no objects built)."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - SafeLoader (C or pure)


def load_yaml_file(path: Path) -> Any:
    return load_yaml(path.read_text(encoding="utf-8"))
