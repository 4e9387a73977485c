"""`probity cases ...`: the integrity unit handles reports from the command line."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.messages import say

if TYPE_CHECKING:
    from bot.reporting.records import CaseSummary, HandlerView

STATUS_NAMES = ("received", "acknowledged", "assessing", "investigating", "closed")


def configure_cases(cases: argparse.ArgumentParser) -> None:
    sub = cases.add_subparsers(dest="cases_command", required=True, metavar="ACTION")
    acting = argparse.ArgumentParser(add_help=False)
    acting.add_argument("--as", dest="acting_as", metavar="NAME",
                        help="your directory key or Slack id: a named handler this shell "
                        "user is listed as in PROBITY_HOME/operators.yaml (optional if only "
                        "one)")

    listing = sub.add_parser("list", parents=[acting], help="list reports, oldest first")
    listing.add_argument("--overdue", action="store_true",
                         help="only reports past their acknowledgement or feedback deadline")
    listing.add_argument("--status", choices=STATUS_NAMES)
    listing.set_defaults(run=_list)

    show = sub.add_parser("show", parents=[acting], help="read one report and its thread")
    show.add_argument("reference")
    show.set_defaults(run=_show)

    _thread_command(sub.add_parser("reply", parents=[acting],
                                   help="send the reporter a message"), "message")
    _thread_command(sub.add_parser("ask", parents=[acting],
                                   help="ask the reporter a question"), "question")

    files = sub.add_parser("attachments", parents=[acting],
                           help="list a report's attachments (their metadata already removed)")
    files.add_argument("reference")
    files.set_defaults(run=_attachments)
    one = sub.add_parser("attachment", parents=[acting],
                         help="save attachment N of a report to a new file")
    one.add_argument("reference")
    one.add_argument("n", type=int, metavar="N", help="the attachment's number, from the list")
    one.add_argument("--out", required=True, metavar="FILE",
                     help="where to save it (must not exist yet; written readable by you only)")
    one.set_defaults(run=_attachment)

    status = sub.add_parser("status", parents=[acting], help="move a report to a new status")
    status.add_argument("reference")
    status.add_argument("status", choices=STATUS_NAMES)
    status.add_argument("--outcome", help="required when closing: what the reporter may read")
    status.set_defaults(run=_status)

    notify = sub.add_parser(
        "notify-due", help="list new reports whose random delay has passed, and mark them told")
    notify.set_defaults(run=_notify_due)

    purge = sub.add_parser(
        "purge-closed", parents=[acting],
        help="remove the content and thread of reports closed more than DAYS ago, keeping a stub")
    purge.add_argument("--older-than", dest="older_than", type=int, required=True,
                       metavar="DAYS", help="the force's retention period in days (see "
                       "docs/reporting.md)")
    purge.add_argument("--remove-outcome", action="store_true",
                       help="remove the sealed outcome too (by default the stub keeps it)")
    purge.add_argument("--dry-run", action="store_true",
                       help="list what would be purged, and change nothing")
    purge.set_defaults(run=_purge_closed)

    batch = sub.add_parser(
        "apply-batch", help="write reporters' waiting writes from earlier days into the vault "
        "(normally the job runner does this once a day at a random moment)")
    batch.add_argument("--now", action="store_true",
                       help="apply now, even before today's random moment")
    batch.set_defaults(run=_apply_batch)

    rotate = sub.add_parser("rotate-key", help="re-seal every report under a new key")
    rotate.add_argument(
        "--new-key-file", metavar="PATH",
        help="the new base64 key, needed when the key comes from PROBITY_REPORT_KEY")
    rotate.set_defaults(run=_rotate_key)


def _desk(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.reporting.context import ReportingContext
    from bot.store import Store

    return Store.open(settings), ReportingContext.from_settings(settings)


def _unsealable(problem: Exception) -> int:
    from bot.messages import say

    print(f"probity: {say('reporting.cannot_unseal', problem=problem)}", file=sys.stderr)
    return 1


def _apply_batch(args: argparse.Namespace, settings: Settings) -> int:
    import random

    from bot.messages import say
    from bot.reporting.sealing import SealingError
    from bot.reporting.vault.batch import BatchResult, apply_batch_if_due, apply_reporter_batch

    try:
        store, context = _desk(settings)
    except SealingError as problem:
        return _unsealable(problem)
    result: BatchResult | None = (
        apply_reporter_batch(store, context, random.SystemRandom(), context.today())
        if args.now else apply_batch_if_due(store, context))
    # Counts only: what the batch carried is said nowhere, not even here.
    print(say("reporting.batch_applied" if result is not None else "reporting.batch_not_due"))
    return 0


def _thread_command(command: argparse.ArgumentParser, kind: str) -> None:
    """`reply` and `ask`: the same arguments, a different kind of thread message."""
    command.add_argument("reference")
    command.add_argument("text")
    command.set_defaults(run=_reply, kind=kind)


def _handler_run(args: argparse.Namespace, settings: Settings, attempted: str, work) -> int:  # type: ignore[no-untyped-def]
    """Authorise, then do `work(session, context, handler)` in one transaction."""
    from bot.reporting.handling import authorise_handler
    from bot.reporting.records import ReportingError
    from bot.reporting.sealing import SealingError
    from bot.turns import Speaker

    try:
        store, context = _desk(settings)
    except SealingError as problem:
        return _unsealable(problem)
    from bot.store.audit import record_event
    from bot.store.operators import OperatorRefused, acting_handler, current_operator

    try:
        _, name = acting_handler(settings, args.acting_as)
    except OperatorRefused as refused:
        operator = current_operator(settings)
        with store.transaction() as session:
            record_event(session, operator.actor, "cli.identity_refused", None,
                         {"claimed": args.acting_as, "attempted": attempted,
                          "by": operator.by})
        print(f"probity: {refused}", file=sys.stderr)
        return 1
    args.acting_as = name
    speaker = Speaker("console", name, name)
    with store.transaction() as session:
        handler = authorise_handler(session, context, speaker, attempted)
    if handler is None:
        print(say("cli_cases.not_a_handler", name=args.acting_as), file=sys.stderr)
        return 1
    try:
        with store.transaction() as session:
            work(session, context, handler)
    except SealingError as problem:
        return _unsealable(problem)
    except (ReportingError, ValueError) as problem:
        print(say("cli_cases.problem", problem=problem), file=sys.stderr)
        return 1
    return 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.reporting.handling import list_reports

    def work(session, context, handler) -> None:  # type: ignore[no-untyped-def]
        found = list_reports(session, context, handler, status=args.status,
                             overdue=args.overdue)
        if not found:
            print(say("cli_cases.none_overdue" if args.overdue else "cli_cases.none"))
        for summary in found:
            print(_summary_line(summary))

    return _handler_run(args, settings, "list reports", work)


def _show(args: argparse.Namespace, settings: Settings) -> int:
    from bot.reporting.handling import read_report

    def work(session, context, handler) -> None:  # type: ignore[no-untyped-def]
        print(_render(read_report(session, context, handler, args.reference)))

    return _handler_run(args, settings, f"read {args.reference}", work)


def _reply(args: argparse.Namespace, settings: Settings) -> int:
    from bot.reporting.handling import reply

    def work(session, context, handler) -> None:  # type: ignore[no-untyped-def]
        view = reply(session, context, handler, args.reference, args.text, kind=args.kind)
        added = "cli_cases.question_added" if args.kind == "question" else "cli_cases.message_added"
        print(say(added, reference=view.summary.reference))

    return _handler_run(args, settings, f"{args.kind} on {args.reference}", work)


def _attachments(args: argparse.Namespace, settings: Settings) -> int:
    from bot.messages import say
    from bot.reporting.attachments import attachments_of, removed_list

    def work(session, context, handler) -> None:  # type: ignore[no-untyped-def]
        found = attachments_of(session, context, handler, args.reference)
        if not found:
            print(say("attachments.cli_none", reference=args.reference))
        for info in found:
            print(say("attachments.cli_line", n=info.n, name=info.name, type=info.media_type,
                      size=f"{info.size:,}", added=info.added_on.isoformat(),
                      removed=removed_list(info.removed)))

    return _handler_run(args, settings, f"attachments of {args.reference}", work)


def _attachment(args: argparse.Namespace, settings: Settings) -> int:
    import os

    from bot.messages import say
    from bot.reporting.attachments import open_attachment

    def work(session, context, handler) -> None:  # type: ignore[no-untyped-def]
        opened = open_attachment(session, context, handler, args.reference, args.n)
        try:
            descriptor = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise ValueError(say("attachments.cli_exists", path=args.out)) from None
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(opened.data)
        print(say("attachments.cli_saved", name=opened.info.name, path=args.out))

    return _handler_run(args, settings, f"attachment {args.n} of {args.reference}", work)


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.reporting.handling import change_status

    def work(session, context, handler) -> None:  # type: ignore[no-untyped-def]
        view = change_status(session, context, handler, args.reference, args.status,
                             args.outcome)
        print(say("cli_cases.status_now", reference=view.summary.reference,
                  status=view.summary.status))

    return _handler_run(args, settings, f"status {args.reference} {args.status}", work)


def _notify_due(args: argparse.Namespace, settings: Settings) -> int:
    from bot.reporting.handling import announce_due
    from bot.reporting.sealing import SealingError

    try:
        store, context = _desk(settings)
    except SealingError as problem:
        return _unsealable(problem)
    with store.transaction() as session:
        due = announce_due(session, context)
        for notice in due:
            print(say("cli_cases.new_report", reference=notice.reference,
                      category=notice.category, mode=notice.mode, received=notice.received_on))
    if not due:
        print(say("cli_cases.nothing_to_announce"))
    return 0


def _purge_closed(args: argparse.Namespace, settings: Settings) -> int:
    from bot.reporting.retention import purge_closed

    def work(session, context, handler) -> None:  # type: ignore[no-untyped-def]
        purged = purge_closed(session, context, handler, older_than_days=args.older_than,
                              remove_outcome=args.remove_outcome, dry_run=args.dry_run)
        line = "cli_cases.would_purge" if args.dry_run else "cli_cases.purged"
        for report in purged:
            print(say(line, reference=report.reference, closed=report.closed_on,
                      messages=report.messages_removed))
        if not purged:
            print(say("cli_cases.nothing_to_purge", days=args.older_than))

    return _handler_run(args, settings, f"purge --older-than {args.older_than}", work)


def _rotate_key(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from bot.reporting.rotation import promote_new_key, reseal_all, stage_new_key
    from bot.reporting.sealing import Sealer, SealingError, read_key_file
    from bot.store import Store
    from bot.store.models import utcnow

    store = Store.open(settings)
    try:
        current = Sealer.from_settings(settings)
        if settings.report_key:
            # Probity cannot rewrite an environment variable, so the operator brings the key.
            if not args.new_key_file:
                print(say("cli_cases.key_from_environment"), file=sys.stderr)
                return 2
            new_key = read_key_file(Path(args.new_key_file))
        else:
            new_key = stage_new_key(settings.home)
    except (OSError, SealingError) as problem:
        print(say("cli_cases.problem", problem=problem), file=sys.stderr)
        return 1
    from bot.reporting.vault.spool import SPOOL_DIR, Spool

    spool = Spool(settings.home / SPOOL_DIR, current, settings.zone)
    with store.transaction() as session:
        rotation = reseal_all(session, current, Sealer(new_key), spool)
    print(say("cli_cases.resealed", values=rotation.values, new_key=rotation.new_key_id,
              old_key=rotation.old_key_id))
    if settings.report_key:
        print(say("cli_cases.set_new_key"))
    else:
        retired = promote_new_key(settings.home, utcnow())
        print(say("cli_cases.old_key_kept", retired=retired))
    return 0


def _summary_line(summary: CaseSummary) -> str:
    late = "; ".join(say("cli_cases.breach", what=b.what, days=b.days_late, due=b.due)
                     for b in summary.breaches)
    line = say("cli_cases.summary", reference=summary.reference, status=summary.status,
               mode=summary.mode, category=summary.category, received=summary.received_on,
               messages=summary.messages)
    return line + (say("cli_cases.late", late=late) if late else "")


def _render(view: HandlerView) -> str:
    summary, content = view.summary, view.content
    lines = [
        _summary_line(summary),
        say("cli_cases.due", acknowledge=summary.acknowledge_due, feedback=summary.feedback_due),
        "",
        say("cli_cases.what_happened", text=content.what_happened),
        say("cli_cases.when_and_where", text=content.when_and_where),
        say("cli_cases.who_is_involved", text=content.who_is_involved or "-"),
        say("cli_cases.evidence", text=content.evidence or "-"),
        say("cli_cases.raised_elsewhere", text=content.raised_elsewhere or "-"),
    ]
    if view.identity is not None:
        identity = view.identity
        lines.append(say("cli_cases.reporter_named", name=identity.display_name,
                         surface=identity.surface, surface_id=identity.surface_id)
                     + (say("cli_cases.reporter_note", note=identity.note)
                        if identity.note else ""))
    else:
        lines.append(say("cli_cases.reporter_anonymous"))
    if view.outcome:
        lines.append(say("cli_cases.outcome", outcome=view.outcome))
    lines.append("")
    lines.append(say("cli_cases.thread" if view.thread else "cli_cases.thread_empty"))
    for entry in view.thread:
        lines.append(say("cli_cases.thread_entry", on=entry.on, author=entry.author,
                         kind=entry.kind, text=entry.text))
    return "\n".join(lines)
