"""Which report keys the vault and the spool still need, so a lost key is never replaced."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.reporting.vault.spool import SPOOL_DIR
from bot.store.vault.location import vault_url
from bot.store.vault.models import Report, ReportAttachment, ReportMessage

#: Bytes 1..9 of a sealed value name its key (bot.reporting.sealing's format).
_KEY_ID = slice(1, 9)


def key_ids_in_use(settings: Settings) -> Counter[str]:
    """How many sealed values each key id holds, in the vault and the spool."""
    found: Counter[str] = Counter()
    spool = settings.home / SPOOL_DIR
    if spool.exists():
        for path in spool.glob("*.sealed"):
            found[_key_id(path)] += 1
    try:
        engine = create_engine(vault_url(settings))
    except (SQLAlchemyError, ValueError):
        return found
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table(Report.__tablename__):
                return found
            for column in (Report.sealed_content, Report.sealed_identity,
                           Report.sealed_outcome, ReportMessage.sealed_body,
                           ReportAttachment.sealed_meta):
                for sealed in connection.scalars(select(column).where(column.is_not(None))):
                    if sealed:
                        found[bytes(sealed)[_KEY_ID].hex()] += 1
    except SQLAlchemyError:
        # A vault we cannot reach now is checked again when it is opened properly.
        pass
    finally:
        engine.dispose()
    return found


def _key_id(path: Path) -> str:
    try:
        return path.read_bytes()[_KEY_ID].hex()
    except OSError:
        return "unknown"
