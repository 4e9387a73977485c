"""The vault's versioned schema: each version is a step applied once, in order.

A handful of tables that change rarely do not need a second Alembic environment; the
version row says which steps have run, and the upgrade takes a lock so several processes
starting at once apply each step once.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Engine, delete, insert, inspect, select, text

from bot.store.vault.models import VaultBase, VaultSchema

_LOCK_ID = 0x5661_756C  # "Vaul": any constant, the same in every process


def _create_tables(connection: Connection) -> None:
    VaultBase.metadata.create_all(connection)


#: Version n is reached by running STEPS[n - 1]. Version 2 adds report_attachments; creating
#: the missing tables is all it takes (create_all leaves existing ones alone).
STEPS: tuple[Callable[[Connection], None], ...] = (_create_tables, _create_tables)
HEAD = len(STEPS)


def current_version(connection: Connection) -> int:
    if not inspect(connection).has_table(VaultSchema.__tablename__):
        return 0
    return connection.scalar(select(VaultSchema.version)) or 0


def upgrade_vault(engine: Engine) -> int:
    """Bring the vault to the newest version; returns the version it is at."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        version = current_version(connection)
        for step in STEPS[version:]:
            step(connection)
        if version < HEAD:
            connection.execute(delete(VaultSchema))
            connection.execute(insert(VaultSchema).values(version=HEAD))
    return HEAD
