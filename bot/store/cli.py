"""`probity db ...` and `probity audit ...`: looking after the store from the command line."""

from __future__ import annotations

import argparse

from bot.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser("db", help="manage the database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="bring the schema to the newest revision")
    upgrade.set_defaults(run=_upgrade)
    current = db_commands.add_parser("current", help="show the schema revision in use")
    current.set_defaults(run=_current)

    audit = commands.add_parser("audit", help="check the audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser(
        "verify", help="recompute the audit log's hash chain and name the first broken event"
    )
    verify.set_defaults(run=_verify)


def _upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store import Store

    store = Store.open(settings, upgrade=False)
    before = store.current_revision()
    store.upgrade()
    after = store.current_revision()
    if before == after:
        print(f"The database is up to date (revision {after}).")
    else:
        print(f"Upgraded the database from {before or 'empty'} to revision {after}.")
    return 0


def _current(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store import Store

    store = Store.open(settings, upgrade=False)
    print(f"revision {store.current_revision() or 'none'} (newest {store.head_revision()})")
    return 0


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store import Store
    from bot.store.audit import verify_chain

    store = Store.open(settings)
    with store.session() as session:
        result = verify_chain(session)
    if result.intact:
        print(f"Audit log intact: {result.checked} events checked.")
        return 0
    print(f"Audit log BROKEN at event {result.broken_event_id}: {result.problem}. "
          f"{result.checked} events before it are intact.")
    return 1
