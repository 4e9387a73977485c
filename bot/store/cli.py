"""`probity db ...` and `probity audit ...`: looking after the store from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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
    checkpoint = audit_commands.add_parser(
        "checkpoint", help="write a keyed checkpoint of the audit log to PROBITY_AUDIT_ANCHOR now")
    checkpoint.set_defaults(run=_checkpoint)


def configure_operator(operator: argparse.ArgumentParser) -> None:
    operator_commands = operator.add_subparsers(dest="operator_command", required=True)
    add = operator_commands.add_parser(
        "add", help="let an operating-system user (or a key file's holder) act as a handler")
    add.add_argument("handler", help="the handler's directory key or Slack id")
    add.add_argument("--os-user", action="append", default=[], metavar="USER",
                     help="an operating-system user who is this handler (repeatable)")
    add.add_argument("--key-file", type=Path, metavar="PATH",
                     help="also write a new key file here for them to hold")
    add.set_defaults(run=_add_operator)


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
    from bot.messages import say
    from bot.store import Store
    from bot.store.anchor import anchor_targets, verify_anchored

    store = Store.open(settings)
    with store.session() as session:
        result = verify_anchored(session, settings)
    chain, checkpoint = result.chain, result.checkpoint
    if result.bad_lines:
        print(say("audit.bad_anchor_lines", count=result.bad_lines))
    if not chain.intact:
        print(say("audit.broken", event=chain.broken_event_id, problem=chain.problem,
                  count=chain.checked))
        return 1
    if checkpoint is None:
        print(say("audit.intact", count=chain.checked))
        print(say("audit.no_checkpoint", where=", ".join(anchor_targets(settings))))
        return 0
    at = f"{checkpoint.at.astimezone(settings.zone):%d %b %Y %H:%M}"
    if result.mismatch is not None:
        print(say("audit.anchor_mismatch", at=at, problem=result.mismatch))
        return 1
    print(say("audit.intact_anchored", count=chain.checked, at=at, events=checkpoint.events))
    return 0


def _checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    from bot.messages import say
    from bot.store import Store
    from bot.store.anchor import anchor_targets, write_checkpoint

    store = Store.open(settings)
    try:
        with store.transaction() as session:
            checkpoint = write_checkpoint(session, settings)
    except (ValueError, OSError) as problem:
        print(f"probity: {problem}", file=sys.stderr)
        return 1
    print(say("audit.checkpoint_written", events=checkpoint.events, head=checkpoint.head_id,
              targets=", ".join(anchor_targets(settings))))
    return 0


def _add_operator(args: argparse.Namespace, settings: Settings) -> int:
    from bot.messages import say
    from bot.store.operators import add_operator

    try:
        written = add_operator(settings, args.handler, os_users=tuple(args.os_user),
                               key_file=args.key_file)
    except (OSError, ValueError) as problem:
        print(f"probity: {problem}", file=sys.stderr)
        return 1
    print(say("audit.operator_added", handler=args.handler,
              users=", ".join(args.os_user) or "-"))
    if written is not None:
        print(say("audit.operator_key_written", handler=args.handler, path=written))
    return 0
