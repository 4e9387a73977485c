"""The backing store: models, sessions, migrations, references and the audit log."""

from bot.store.database import Store

__all__ = ["Store"]
