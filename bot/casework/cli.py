"""`probity casework ...` and `probity register ...`: the integrity unit at the terminal."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from bot.config import Settings
from bot.messages import say

REGISTER_NAMES = ("gifts", "interests", "associations")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(say("cli_casework.not_a_date", text=repr(text))) \
            from None


def configure_bench(bench: argparse.ArgumentParser) -> None:
    bench.add_argument("--staff", type=int, default=30_000)
    bench.add_argument("--gifts", type=int, default=5_000)
    bench.add_argument("--suppliers", type=int, default=2_000)
    bench.add_argument("--interests", type=int, default=150)
    bench.add_argument("--database-url", help="seed this empty database instead of a "
                       "temporary SQLite file (it must be empty: the year is inserted as is)")
    bench.add_argument("--no-slow", dest="slow", action="store_false",
                       help="skip the pair-by-pair timings, which take minutes at full size")
    bench.add_argument("--sizes", type=_sizes, default=(), metavar="N,N,...",
                       help="also time the console's figures at these numbers of gifts, "
                       "to show how they grow (e.g. 10000,25000)")
    bench.set_defaults(run=_bench_casework)


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(say("cli_casework.bad_sizes", text=text)) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(say("cli_casework.bad_sizes", text=text))
    return sizes


def _as_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as", dest="as_name", metavar="NAME",
        help="who you are: a handler's directory key or Slack id (or name) that this shell "
        "user is listed as in PROBITY_HOME/operators.yaml; optional if only one")


def _officer_step(steps: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
                  run: Callable[[argparse.Namespace, Settings], int],
                  help: str) -> argparse.ArgumentParser:
    """A step on one declaration, taken by a named person (checked and audited later)."""
    step: argparse.ArgumentParser = steps.add_parser(name, help=help)
    step.add_argument("reference")
    _as_argument(step)
    step.set_defaults(run=run)
    return step


def configure_casework(casework: argparse.ArgumentParser) -> None:
    steps = casework.add_subparsers(dest="casework_command", required=True, metavar="STEP")

    listing = steps.add_parser("list", help="list declarations, open ones by default")
    listing.add_argument("--kind", choices=REGISTER_NAMES)
    listing.add_argument("--status", action="append", help="only this status (repeatable)")
    listing.add_argument("--all", action="store_true", help="every status, not just open ones")
    _as_argument(listing)
    listing.set_defaults(run=_list)

    show = steps.add_parser("show", help="one declaration with its answers and history")
    show.add_argument("reference")
    _as_argument(show)
    show.set_defaults(run=_show)

    decide = _officer_step(steps, "decide", _decide, help="decide a declaration, with a rationale")
    decide.add_argument("--outcome", required=True, help=(
        "gifts: approved, approved_with_conditions, refused, noted; interests: approved, "
        "approved_with_conditions, refused; associations: aware_only, "
        "permitted_with_conditions, inappropriate"))
    decide.add_argument("--rationale", required=True)
    decide.add_argument("--conditions")

    ask = _officer_step(steps, "request-info", _request_info,
        help="ask the declarant a question before deciding")
    ask.add_argument("--question", required=True)

    answer = _officer_step(steps, "answer", _answer,
        help="answer the integrity unit's question (the declarant, or an officer "
        "for them)")
    answer.add_argument("--answer", required=True)

    appeal = _officer_step(steps, "appeal", _appeal, help="lodge an appeal against a refusal")
    appeal.add_argument("--grounds", required=True)

    decide_appeal = _officer_step(steps, "decide-appeal", _decide_appeal,
        help="uphold or dismiss an appeal")
    decide_appeal.add_argument("--outcome", required=True, choices=("upheld", "dismissed"))
    decide_appeal.add_argument("--rationale", required=True)
    decide_appeal.add_argument("--conditions")

    change = _officer_step(steps, "change", _change,
        help="record a change of circumstances (reopens review)")
    change.add_argument("--description", required=True)

    check = _officer_step(steps, "compliance-check", _compliance_check,
        help="record a business-interest compliance check")
    found = check.add_mutually_exclusive_group(required=True)
    found.add_argument("--compliant", dest="compliant", action="store_true")
    found.add_argument("--not-compliant", dest="compliant", action="store_false")
    check.add_argument("--note", required=True)
    check.add_argument("--next", dest="next_check", type=_date, help="date of the next check")

    overdue = steps.add_parser("overdue", help="decisions, reviews and compliance checks past due")
    overdue.add_argument("--as-of", type=_date, help="judge lateness on this day (default today)")
    overdue.set_defaults(run=_overdue)

    timeliness = steps.add_parser("timeliness", help="time to decision per record, against target")
    timeliness.add_argument("--kind", choices=REGISTER_NAMES)
    timeliness.add_argument("--from", dest="start", type=_date)
    timeliness.add_argument("--to", dest="end", type=_date)
    timeliness.set_defaults(run=_timeliness)


def configure_registers(
        registers: argparse.ArgumentParser) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The register actions; returned so bot.campaigns.cli adds campaign completion."""
    actions = registers.add_subparsers(dest="register_command", required=True, metavar="ACTION")
    for name in REGISTER_NAMES:
        export = actions.add_parser(name, help=f"export the internal {name} register")
        export.add_argument("--from", dest="start", type=_date)
        export.add_argument("--to", dest="end", type=_date)
        export.add_argument("--format", choices=("csv", "json"), default="csv")
        export.add_argument("--output", type=Path, help="write here instead of standard output")
        _as_argument(export)
        export.set_defaults(run=_export, register_name=name)

    publish = actions.add_parser("publish", help="write the public register for a quarter")
    publish.add_argument("register_name", choices=("gifts",))
    publish.add_argument("--quarter", required=True, help="for example 2026Q3")
    publish.add_argument("--format", choices=("csv", "html"), default="html")
    publish.add_argument("--output", type=Path)
    publish.add_argument("--config", type=Path,
                         help="publication settings (default: knowledge/publication.yaml)")
    publish.set_defaults(run=_publish)

    importer = actions.add_parser("import-suppliers", help="import the supplier and tender list")
    importer.add_argument("file", type=Path)
    importer.add_argument("--as", dest="as_name", metavar="NAME")
    importer.set_defaults(run=_import_suppliers)

    checks = actions.add_parser("checks", help="cross-check the registers and supplier list")
    checks.add_argument("--as-of", type=_date, help="check as on this day (default today)")
    checks.add_argument("--format", choices=("text", "json"), default="text")
    checks.set_defaults(run=_checks)
    return actions


# Handlers. Each imports the store lazily so `probity --help` stays quick.

def _fail(message: str) -> int:
    print(say("cli_casework.problem", problem=message), file=sys.stderr)
    return 1


def _guarded(step: Callable[[], int]) -> int:
    from bot.casework.errors import CaseworkError, NotAuthorised

    try:
        return step()
    except NotAuthorised as refused:
        return _fail(say("cli_casework.refused", refused=refused))
    except CaseworkError as problem:
        return _fail(str(problem))


def _open(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.store import Store

    return Store.open(settings)


def _person_id(store: Any, settings: Settings, name: str | None, *,
               reading: bool = False) -> int:
    """Who a step runs as: `--as` checked against the shell's operator (see
    bot.casework.authorisation.check_operator), or the operator's own handler."""
    from bot.casework.authorisation import check_operator
    from bot.casework.errors import NotAuthorised
    from bot.casework.people import find_person

    refused: NotAuthorised | None = None
    with store.transaction() as session:
        person = find_person(session, name, settings.directory_file) if name else None
        try:
            return check_operator(session, settings, person, name, " ".join(sys.argv[1:3]),
                                  reading=reading).id
        except NotAuthorised as problem:
            refused = problem  # committed with its audit event, then raised
    raise refused


def _service(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.casework.service import Casework

    store = _open(settings)
    return store, Casework(store, settings)


def _today(settings: Settings, given: dt.date | None) -> dt.date:
    return given or dt.datetime.now(settings.zone).date()


def _bench_casework(args: argparse.Namespace, settings: Settings) -> int:
    from bot.casework.bench import Volumes, run_casework_benchmark

    volumes = Volumes(args.staff, args.gifts, args.suppliers, args.interests)
    return run_casework_benchmark(settings, volumes, args.database_url, slow=args.slow,
                                  sizes=args.sizes)


def _decide(args: argparse.Namespace, settings: Settings) -> int:
    def step() -> int:
        store, casework = _service(settings)
        by = _person_id(store, settings, args.as_name)
        decision = casework.decide(args.reference, args.outcome, args.rationale,
                                   conditions=args.conditions, by=by)
        print(say("cli_casework.decided", reference=decision.declaration.reference,
                  outcome=decision.outcome.replace("_", " "), stage=decision.stage))
        return 0
    return _guarded(step)


def _request_info(args: argparse.Namespace, settings: Settings) -> int:
    def step() -> int:
        store, casework = _service(settings)
        casework.request_information(args.reference, args.question,
                                     by=_person_id(store, settings, args.as_name))
        print(say("cli_casework.information_requested", reference=args.reference.upper()))
        return 0
    return _guarded(step)


def _answer(args: argparse.Namespace, settings: Settings) -> int:
    def step() -> int:
        store, casework = _service(settings)
        casework.provide_information(args.reference, args.answer,
                                     by=_person_id(store, settings, args.as_name))
        print(say("cli_casework.answer_recorded", reference=args.reference.upper()))
        return 0
    return _guarded(step)


def _appeal(args: argparse.Namespace, settings: Settings) -> int:
    def step() -> int:
        store, casework = _service(settings)
        casework.lodge_appeal(args.reference, args.grounds,
                              by=_person_id(store, settings, args.as_name))
        print(say("cli_casework.appeal_lodged", reference=args.reference.upper()))
        return 0
    return _guarded(step)


def _decide_appeal(args: argparse.Namespace, settings: Settings) -> int:
    def step() -> int:
        store, casework = _service(settings)
        decision = casework.decide_appeal(args.reference, args.outcome, args.rationale,
                                          conditions=args.conditions,
                                          by=_person_id(store, settings, args.as_name))
        print(say("cli_casework.appeal_decided", reference=decision.declaration.reference,
                  outcome=decision.outcome.replace("_", " "),
                  status=decision.declaration.status.replace("_", " ")))
        return 0
    return _guarded(step)


def _change(args: argparse.Namespace, settings: Settings) -> int:
    def step() -> int:
        store, casework = _service(settings)
        new = casework.record_change_of_circumstances(
            args.reference, args.description, by=_person_id(store, settings, args.as_name))
        print(say("cli_casework.superseded", reference=args.reference.upper(),
                  new=new.reference))
        return 0
    return _guarded(step)


def _compliance_check(args: argparse.Namespace, settings: Settings) -> int:
    def step() -> int:
        store, casework = _service(settings)
        casework.record_compliance_check(args.reference, args.compliant, args.note,
                                         next_check=args.next_check,
                                         by=_person_id(store, settings, args.as_name))
        following = (say("cli_casework.next_check", date=args.next_check)
                     if args.next_check else "")
        print(say("cli_casework.check_recorded", reference=args.reference.upper(),
                  next=following))
        return 0
    return _guarded(step)


def _kinds(name: str | None) -> list[str] | None:
    from bot.casework.registers import REGISTERS

    return [REGISTERS[name]] if name else None


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.casework import labels
    from bot.casework.errors import NotAuthorised
    from bot.casework.followup import time_to_decision
    from bot.casework.queries import OPEN_STATUSES, current_decision, list_declarations
    from bot.casework.rules import CaseworkRules
    from bot.messages import say
    from bot.workflows.parsing.money import format_money

    rules = CaseworkRules.from_settings(settings)
    statuses = args.status or (None if args.all else sorted(OPEN_STATUSES))
    store = _open(settings)
    try:
        actor = _actor(store, settings, args.as_name, reading=True)
    except NotAuthorised as refused:
        return _fail(str(refused))
    with store.session() as session:
        found = list_declarations(session, kinds=_kinds(args.kind), statuses=statuses)
        rows = []
        for declaration in found:
            timing = time_to_decision(declaration, rules)
            standing = current_decision(declaration)
            late = say("casework_cli.late") if timing.breached and not timing.decided else ""
            rows.append([
                declaration.reference, labels.kind_label(declaration.kind),
                labels.status_label(declaration.status), declaration.person.display_name,
                format_money(declaration.value_pence) if declaration.value_pence is not None
                else "", f"{timing.days}{late}",
                labels.outcome_label(standing.outcome) if standing else declaration.summary
                or ""])
    # Names and statuses of colleagues' records: who listed them is recorded.
    _audit(store, actor, "declarations.listed", None,
           {"kind": args.kind, "statuses": statuses, "count": len(rows)})
    if not rows:
        print(say("casework_cli.none_match"))
        return 0
    header = [say(f"casework_cli.col_{name}") for name in
              ("reference", "kind", "status", "declarant", "value", "days", "summary")]
    # Widths from the longest cell; the last column is never cut (a terminal wraps it).
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [str(cell).rjust(width) if i in (4, 5) else str(cell).ljust(width)
                 for i, (cell, width) in enumerate(zip(row, widths, strict=False))]
        print("  ".join([*cells, str(row[-1])]).rstrip())
    return 0


def _show(args: argparse.Namespace, settings: Settings) -> int:
    def step() -> int:
        from bot.casework import labels
        from bot.casework.queries import get_declaration
        from bot.casework.registers import declarant_snapshot, register_entry
        from bot.casework.rules import CaseworkRules
        from bot.messages import say

        zone = settings.zone
        rules = CaseworkRules.from_settings(settings)
        answer_labels = labels.AnswerLabels.load(settings.workflows_dir)
        store = _open(settings)
        actor = _actor(store, settings, args.as_name, reading=True)
        with store.session() as session:
            declaration = get_declaration(session, args.reference)
            entry = register_entry(session, rules, declaration)
            when_filed = declarant_snapshot(declaration)
            decisions = [(d.decided_at, d.stage, d.outcome,
                          d.decided_by.display_name if d.decided_by else None, d.rationale,
                          d.conditions) for d in declaration.decisions]
            history = [(c.at, c.to_status, c.note) for c in declaration.history]
            answers = answer_labels.rows(declaration.kind, entry["answers"], zone)
        coded = {"kind": labels.kind_label, "status": labels.status_label,
                 "outcome": labels.outcome_label, "current_decision": labels.outcome_label}
        skip = {"answers", "decisions", "appeals", "history", "approvers", "value_pence"}
        # Personal data leaves the store on screen: who read it is recorded.
        _audit(store, actor, "declaration.read", declaration.reference, {"surface": "cli"})
        shown = []
        for key, value in entry.items():
            if key in skip or value in (None, ""):
                continue
            text = coded[key](value) if key in coded else \
                f"£{value}" if key == "value_gbp" else labels.plain(value, zone)
            shown.append((labels.field_label(key), text))
        width = max(len(label) for label, _ in [*shown, *answers]) if shown else 20
        for label, text in shown:
            print(f"{label:{width}}  {text}")
        if any(value not in (None, "") for value in when_filed.values()):
            # The declarant's details when they filed; the lines above are today's.
            print(f"\n{say('casework_cli.when_filed')}")
            for key, value in when_filed.items():
                if value not in (None, ""):
                    print(f"  {labels.field_label(key):{width}}  {labels.plain(value, zone)}")
        print(f"\n{say('casework_cli.answers')}")
        for label, text in answers:
            print(f"  {label:{width}}  {text}")
        print(f"\n{say('casework_cli.decisions')}")
        for at, stage, outcome, by, rationale, conditions in decisions:
            extra = f" [{say('casework_cli.conditions', conditions=conditions)}]" \
                if conditions else ""
            print(f"  {labels.when(at, zone)}  {labels.stage_label(stage)}: "
                  f"{labels.outcome_label(outcome)}, {by or '-'}: {rationale}{extra}")
        print(f"\n{say('casework_cli.history')}")
        for at, to_status, note in history:
            print(f"  {labels.when(at, zone)}  {labels.status_label(to_status)}"
                  + (f": {note}" if note else ""))
        return 0
    return _guarded(step)


def _overdue(args: argparse.Namespace, settings: Settings) -> int:
    from bot.casework.followup import overdue
    from bot.casework.rules import CaseworkRules

    rules = CaseworkRules.from_settings(settings)
    today = _today(settings, args.as_of)
    store = _open(settings)
    with store.session() as session:
        items = overdue(session, rules, today)
    if not items:
        print(say("cli_casework.nothing_overdue", today=today))
        return 0
    print(say("cli_casework.overdue", today=today, target=rules.decision_target_days))
    for item in items:
        print(say("cli_casework.overdue_line", reference=item.reference, what=item.what,
                  due=item.due_on, days=item.days_late, person=item.person))
    return 0


def _timeliness(args: argparse.Namespace, settings: Settings) -> int:
    from bot.casework.followup import time_to_decision
    from bot.casework.queries import list_declarations
    from bot.casework.rules import CaseworkRules

    rules = CaseworkRules.from_settings(settings)
    store = _open(settings)
    with store.session() as session:
        found = list_declarations(session, kinds=_kinds(args.kind), start=args.start,
                                  end=args.end)
        timings = [time_to_decision(d, rules) for d in found]
    decided = sorted(t.days for t in timings if t.decided)
    for timing in timings:
        state = (say("cli_casework.decided_on", date=timing.decided_on) if timing.decided
                 else say("cli_casework.undecided"))
        flag = say("cli_casework.over_target") if timing.breached else ""
        print(say("cli_casework.timeliness_line", reference=timing.reference,
                  submitted=timing.submitted_on, state=state, days=timing.days, flag=flag))
    breaches = sum(1 for t in timings if t.breached)
    median = decided[len(decided) // 2] if decided else None
    print()
    print(say("cli_casework.timeliness_total", records=len(timings), decided=len(decided),
              median=median if median is not None else "-", breaches=breaches,
              target=rules.decision_target_days))
    return 0


@contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        yield handle


def _audit(store: Any, actor: str, action: str, subject: str | None,
           details: dict[str, Any]) -> None:
    from bot.store.audit import record_event

    with store.transaction() as session:
        record_event(session, actor, action, subject, details)


def _actor(store: Any, settings: Settings, name: str | None, *, reading: bool = False) -> str:
    return f"person:{_person_id(store, settings, name, reading=reading)}"


def _export(args: argparse.Namespace, settings: Settings) -> int:
    def step() -> int:
        from bot.casework.registers import REGISTERS, register_entries, write_csv, write_json
        from bot.casework.rules import CaseworkRules

        rules = CaseworkRules.from_settings(settings)
        store = _open(settings)
        actor = _actor(store, settings, args.as_name, reading=True)
        with store.session() as session:
            entries = register_entries(session, rules, REGISTERS[args.register_name],
                                       args.start, args.end)
        with _output(args.output) as stream:
            (write_json if args.format == "json" else write_csv)(entries, stream)
        # Exports carry personal data out of the store, so who took one is recorded.
        _audit(store, actor, "register.exported", args.register_name, {
            "from": args.start, "to": args.end, "format": args.format,
            "records": len(entries), "output": str(args.output) if args.output else "stdout"})
        if args.output:
            print(say("cli_casework.exported", records=len(entries), output=args.output),
                  file=sys.stderr)
        return 0
    return _guarded(step)


def _publish(args: argparse.Namespace, settings: Settings) -> int:
    def step() -> int:
        from bot.casework.publication import (
            PublicationConfig,
            parse_quarter,
            public_entries,
            render_public_html,
            write_public_csv,
        )
        from bot.casework.publishing import exclusions_for

        config = PublicationConfig.load(args.config or settings.knowledge_dir /
                                        "publication.yaml")
        quarter = parse_quarter(args.quarter, config.quarters)
        store = _open(settings)
        with store.session() as session:
            # The redactions and hold-backs decided in the console apply here too.
            entries = public_entries(session, config, quarter, exclusions_for(session, quarter))
        with _output(args.output) as stream:
            if args.format == "html":
                stream.write(render_public_html(entries, config, quarter))
            else:
                write_public_csv(entries, config, stream)
        _audit(store, "system", "register.published", "gifts", {
            "quarter": quarter.label, "format": args.format, "records": len(entries)})
        if args.output:
            wrote = "cli_casework.published_one" if len(entries) == 1 else "cli_casework.published"
            print(say(wrote, entries=len(entries), quarter=quarter.label, start=quarter.start,
                      end=quarter.end, output=args.output), file=sys.stderr)
        return 0
    return _guarded(step)


def _import_suppliers(args: argparse.Namespace, settings: Settings) -> int:
    def step() -> int:
        from bot.casework.suppliers import import_suppliers, parse_supplier_csv

        try:
            text = args.file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            return _fail(say("cli_casework.cannot_read", file=args.file, error=error))
        parsed = parse_supplier_csv(text)
        if not parsed.valid:
            print(say("cli_casework.not_imported", file=args.file), file=sys.stderr)
            for line, problem in parsed.problems:
                print(say("cli_casework.row_problem", line=line, problem=problem),
                      file=sys.stderr)
            return 1
        store = _open(settings)
        actor = _actor(store, settings, args.as_name)
        with store.transaction() as session:
            result = import_suppliers(session, parsed.rows, actor, source=args.file.name)
        print(say("cli_casework.imported", file=args.file.name, added=result.added,
                  updated=result.updated))
        return 0
    return _guarded(step)


def _checks(args: argparse.Namespace, settings: Settings) -> int:
    from bot.casework.checks import run_checks
    from bot.casework.people import directory_entries
    from bot.casework.rules import CaseworkRules

    rules = CaseworkRules.from_settings(settings)
    today = _today(settings, args.as_of)
    store = _open(settings)
    with store.session() as session:
        findings = run_checks(session, rules, today, directory_entries(settings.directory_file))
    if args.format == "json":
        json.dump([finding.as_dict() for finding in findings], sys.stdout, indent=2,
                  ensure_ascii=False)
        print()
        return 0
    if not findings:
        print(say("cli_casework.no_findings", today=today))
        return 0
    print(say("cli_casework.findings", count=len(findings), today=today))
    print()
    for number, finding in enumerate(findings, 1):
        records = ", ".join(finding.records) or say("cli_casework.no_records")
        print(say("cli_casework.finding", number=number, severity=finding.severity,
                  check=finding.check, records=records))
        print(say("cli_casework.finding_why", why=finding.why))
        if finding.contract:
            print(say("cli_casework.finding_contract", contract=finding.contract))
    return 0
