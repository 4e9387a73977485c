"""Logging set-up shared by every command."""

from __future__ import annotations

import logging
import sys


def configure_logging(level: str = "INFO") -> None:
    """Log to standard error so standard output stays clean for answers and JSON."""
    root = logging.getLogger()
    if any(getattr(handler, "_probity", False) for handler in root.handlers):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler._probity = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    # Library chatter would drown Probity's own lines at INFO.
    for noisy in ("alembic", "slack_bolt", "slack_sdk", "urllib3"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
