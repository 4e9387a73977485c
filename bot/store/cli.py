"""`probity db ...` and `probity audit ...`: looking after the store from the command line."""

from __future__ import annotations

import argparse

from bot.config import Settings
from bot.messages import say


def configure_db(db: argparse.ArgumentParser) -> None:
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="bring the schema to the newest revision")
    upgrade.set_defaults(run=_upgrade)
    current = db_commands.add_parser("current", help="show the schema revision in use")
    current.set_defaults(run=_current)


def configure_audit(audit: argparse.ArgumentParser) -> None:
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
        print(say("cli.db_up_to_date", revision=after))
    else:
        print(say("cli.db_upgraded", before=before or say("cli.db_empty"), after=after))
    return 0


def _current(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store import Store

    store = Store.open(settings, upgrade=False)
    print(say("cli.db_current", revision=store.current_revision() or say("cli.db_none"),
              newest=store.head_revision()))
    return 0


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store import Store
    from bot.store.audit import verify_chain

    store = Store.open(settings)
    with store.session() as session:
        result = verify_chain(session)
    if result.intact:
        print(say("cli.audit_intact", checked=result.checked))
        return 0
    print(say("cli.audit_broken", event=result.broken_event_id, problem=result.problem,
              checked=result.checked))
    return 1
