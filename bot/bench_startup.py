"""`probity bench startup`: how long each command takes to start, against a bare interpreter.

Every run is a fresh process, as when someone types the command, started the way the
installed `probity` script starts it. A home is prepared once (the search-index cache built,
the schema current, the demo staff synced) and each run gets its own copy, so every run
starts from the same warm state and no run sees another's conversation. The machine is
usually busy with other work, so the figures reported are medians (with the worst run), and
`python -c pass` is timed in the same run as the floor nothing can beat.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.messages import say

#: What the installed `probity` console script does, without depending on PATH.
PROBITY = ("-c", "import sys, bot.cli\nsys.exit(bot.cli.main())")
#: Seconds a person should wait at most, on this kind of machine (issue 10's targets).
TARGETS = {"help": 0.5, "version": 0.5, "ask": 1.0, "chat": 1.2}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=7,
                        help="fresh processes per command (default: %(default)s)")
    parser.add_argument("--no-bytecode-cache", dest="bytecode_cache", action="store_false",
                        help="compile Python's modules on every start, as with "
                        "PYTHONDONTWRITEBYTECODE (default: a private bytecode cache, written "
                        "while warming up, as an installed Probity has)")
    parser.add_argument("--question",
                        help="the question `ask` and `chat` answer (default: a gift question "
                        "from the catalogue, bench.startup_question)")
    parser.set_defaults(run=_run)


@dataclass(frozen=True)
class Case:
    """One command to time: its name in the table, and how to run it once in `home`."""

    name: str
    label: str
    target: float | None
    run: Callable[[dict[str, str]], float]


@dataclass(frozen=True)
class Result:
    case: Case
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def worst(self) -> float:
        return max(self.seconds)


def environment(home: Path, pycache: Path | None) -> dict[str, str]:
    """The variables a timed process runs with: its own home, and the chosen bytecode cache."""
    env = dict(os.environ)
    env["PROBITY_HOME"] = str(home)
    # A temporary SQLite store under the copied home: the benchmark never touches real data.
    env.pop("PROBITY_DATABASE_URL", None)
    env.setdefault("PROBITY_LOG_LEVEL", "WARNING")
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        # Written during the warm-up, outside the source tree, and read by every timed run.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def _timed(argv: Sequence[str], env: dict[str, str], stdin: str | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *argv], input=stdin, capture_output=True, text=True,
                          env=env, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(say("bench.startup_failed", command=" ".join(argv[2:]) or argv[-1],
                               code=done.returncode, error=done.stderr.strip()[-500:]))
    return seconds


def _first_reply(question: str) -> Callable[[dict[str, str]], float]:
    """Seconds from starting `probity chat` to the end of its answer to `question`."""
    echo = say("terminal.echo", text=question)

    def run(env: dict[str, str]) -> float:
        start = time.perf_counter()
        chat = subprocess.Popen([sys.executable, *PROBITY, "chat"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env)
        assert chat.stdin is not None and chat.stdout is not None
        # End of input straight after the question: the reply is timed as it arrives, and a
        # console that printed something unexpected still exits instead of waiting for more.
        chat.stdin.write(question + "\n")
        chat.stdin.close()
        seen_question = False
        seconds = None
        for line in chat.stdout:
            if line.rstrip("\n") == echo:
                seen_question = True
            elif seen_question and not line.strip():
                # The console ends each set of replies with a blank line.
                seconds = time.perf_counter() - start
                break
        chat.stdout.read()
        error = chat.stderr.read() if chat.stderr else ""
        chat.wait()
        if seconds is None:
            raise RuntimeError(say("bench.startup_failed", command="chat",
                                   code=chat.returncode, error=error.strip()[-500:]))
        return seconds

    return run


def cases(question: str) -> list[Case]:
    return [
        Case("python", say("bench.startup_python"), None,
             lambda env: _timed(("-c", "pass"), env)),
        Case("help", "probity --help", TARGETS["help"],
             lambda env: _timed((*PROBITY, "--help"), env)),
        Case("version", "probity version", TARGETS["version"],
             lambda env: _timed((*PROBITY, "version"), env)),
        Case("ask", say("bench.startup_ask"), TARGETS["ask"],
             lambda env: _timed((*PROBITY, "ask", question), env)),
        Case("chat", say("bench.startup_chat"), TARGETS["chat"], _first_reply(question)),
    ]


def prepare_home(home: Path, question: str, pycache: Path | None) -> None:
    """Build the index cache, bring the schema up and sync the staff: the warm state."""
    env = environment(home, pycache)
    _timed((*PROBITY, "ask", question), env)
    _timed((*PROBITY, "chat"), env, stdin="/quit\n")


def measure(runs: int, question: str, report: Callable[[str], None] = print,
            bytecode_cache: bool = True) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="probity-startup-") as scratch:
        warm = Path(scratch) / "warm"
        pycache = Path(scratch) / "pycache" if bytecode_cache else None
        prepare_home(warm, question, pycache)
        timings: dict[str, list[float]] = {}
        chosen = cases(question)
        # Interleaved rounds, so a burst of load from elsewhere hits every command alike.
        for round_number in range(runs):
            for case in chosen:
                home = Path(scratch) / f"{case.name}-{round_number}"
                shutil.copytree(warm, home)
                timings.setdefault(case.name, []).append(case.run(environment(home, pycache)))
                shutil.rmtree(home, ignore_errors=True)
            report(say("bench.startup_progress", done=round_number + 1, runs=runs))
    return [Result(case, timings[case.name]) for case in chosen]


def table(results: Sequence[Result]) -> list[str]:
    floor = results[0].median
    lines = [say("bench.startup_table_head")]
    for result in results:
        target = result.case.target
        over = "-" if result.case.name == "python" else f"+{result.median - floor:.2f} s"
        met = "-" if target is None else say(
            "bench.startup_met" if result.median < target else "bench.startup_missed")
        lines.append(say("bench.startup_row", label=result.case.label, median=result.median,
                         worst=result.worst, over=over,
                         target="-" if target is None else f"< {target:.1f} s", met=met))
    return lines


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.runs < 1:
        print(say("bench.startup_bad_runs"), file=sys.stderr)
        return 2
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    bytecode = say("bench.startup_bytecode_on" if args.bytecode_cache
                   else "bench.startup_bytecode_off")
    print(say("bench.startup_heading", runs=args.runs, cpus=os.cpu_count() or 1, load=load,
              bytecode=bytecode))
    try:
        results = measure(args.runs, args.question or say("bench.startup_question"),
                          report=lambda line: print(line, file=sys.stderr, flush=True),
                          bytecode_cache=args.bytecode_cache)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    print()
    print("\n".join(table(results)))
    return 0
