"""`probity eval answers`: plain answers to single questions, read as the dialogue reads them.

Each file in tests/eval/answers/ holds answers written by people, not by the readers' authors'
word lists: `polarity` (yes / no / unsure said many ways) and `fields` (an answer to one
question of a workflow, with what should be stored, or `refused: true` when nothing may
be). Every field answer is typed at that question in a fresh draft (after any `known`
answers), through the engine, so suggestions, junk refusal, described choices, periods
and dates are all read as in a conversation. The figures are the share stored right at
the first asking, and the polarity classifier's accuracy on its own.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT
from bot.messages import say
from bot.yamlio import load_yaml_file

DEFAULT_DIR = PROJECT_ROOT / "tests" / "eval" / "answers"
#: The bar the suite holds each file's figures to (tests/test_plain_answers.py).
MIN_FIELD_ACCURACY = 0.85
MIN_POLARITY_ACCURACY = 0.85
#: The file whose misses are never printed: answers kept aside to measure with.
HELD_ASIDE = "held_aside"


@dataclass(frozen=True)
class FieldCase:
    workflow: str
    field: str
    say: str
    expect: Any = None
    refused: bool = False
    precision: str | None = None
    known: Mapping[str, str] | None = None


@dataclass(frozen=True)
class AnswerSet:
    name: str
    today: dt.date
    polarity: tuple[tuple[str, str], ...]  # (text, label)
    fields: tuple[FieldCase, ...]


@dataclass(frozen=True)
class Result:
    name: str
    polarity_right: int
    polarity_count: int
    fields_right: int
    fields_count: int
    misses: tuple[str, ...]

    @property
    def polarity_accuracy(self) -> float:
        return self.polarity_right / self.polarity_count if self.polarity_count else 1.0

    @property
    def field_accuracy(self) -> float:
        return self.fields_right / self.fields_count if self.fields_count else 1.0


def load_answer_sets(folder: Path = DEFAULT_DIR) -> list[AnswerSet]:
    sets = []
    for path in sorted(folder.glob("*.yaml")):
        raw = load_yaml_file(path)
        polarity = tuple((str(text), str(label))
                         for label, texts in (raw.get("polarity") or {}).items()
                         for text in texts)
        fields = tuple(FieldCase(str(item["workflow"]), str(item["field"]), str(item["say"]),
                                 item.get("expect"), bool(item.get("refused")),
                                 item.get("expect_precision"), item.get("known"))
                       for item in raw.get("fields") or ())
        sets.append(AnswerSet(path.stem, _day(raw["today"]), polarity, fields))
    return sets


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def evaluate(sets: Iterable[AnswerSet]) -> list[Result]:
    from bot.directory import StaffMember, match_staff
    from bot.workflows.definitions import load_definitions, scan_policy_sections
    from bot.workflows.engine import DialogueContext
    from bot.workflows.understanding import Understanding

    definitions = load_definitions(PROJECT_ROOT / "workflows",
                                   scan_policy_sections(PROJECT_ROOT / "policies"))
    manager = StaffMember("tom.reid", "Tom Reid", "Sgt", "officer", team="Response")
    results = []
    with tempfile.TemporaryDirectory() as models:
        understanding = Understanding.build(definitions.values(), PROJECT_ROOT / "knowledge",
                                            Path(models))
        for answer_set in sets:
            context = DialogueContext(answer_set.today, {"staff_type": "officer"}, (manager,),
                                      manager, match_staff,  # type: ignore[arg-type]
                                      understanding=understanding)
            misses: list[str] = []
            polarity_right = 0
            for text, label in answer_set.polarity:
                got = understanding.yes_no(text)
                if got == label:
                    polarity_right += 1
                else:
                    misses.append(say("evaluation.answer_miss", field="polarity", text=text,
                                      wanted=label, got=got))
            fields_right = 0
            for case in answer_set.fields:
                problem = _field_problem(definitions[case.workflow], case, context)
                if problem is None:
                    fields_right += 1
                else:
                    misses.append(problem)
            results.append(Result(answer_set.name, polarity_right, len(answer_set.polarity),
                                  fields_right, len(answer_set.fields), tuple(misses)))
    return results


def _field_problem(definition: Any, case: FieldCase, context: Any) -> str | None:
    """None when the answer is stored as expected (or refused when it should be)."""
    from bot.workflows import engine
    from bot.workflows.engine import UserInput

    work = engine.start(definition, context).state.to_json()
    for name, text in (case.known or {}).items():
        reading = engine.read_field(definition.field(name), str(text), context)
        engine.record_answer(work, name, reading)
    work.update(pending=case.field, phase="asking")
    step = engine.advance(definition, work, UserInput(case.say), context)
    stored = step.state.answers.get(case.field, _MISSING)
    reprompted = any(reply.kind == "problem" for reply in step.replies)
    if case.refused:
        right = stored is _MISSING and reprompted
    elif stored is _MISSING and case.expect is None and case.field in step.state.skipped:
        right = True  # "none, she's a pensioner" to an optional question: left blank
    else:
        right = stored is not _MISSING and _matches(case.expect, stored) and (
            case.precision is None or step.state.precisions.get(case.field) == case.precision)
    if right:
        return None
    got = "-" if stored is _MISSING else stored
    shown = step.state.displays.get(case.field) or " / ".join(
        reply.text[:90] for reply in step.replies if reply.kind == "problem")
    wanted = "refused" if case.refused else case.expect if case.precision is None else \
        f"{case.expect} ({case.precision})"
    return say("evaluation.answer_miss", field=f"{case.workflow}.{case.field}", text=case.say,
               wanted=wanted, got=f"{got} [{shown}]")


_MISSING = object()


def _matches(wanted: Any, got: Any) -> bool:
    if wanted is None:
        return True  # only a precision (or a left-blank answer) is expected
    if isinstance(wanted, Mapping) and "between" in wanted:
        low, high = (_comparable(bound) for bound in wanted["between"])
        try:
            return bool(low <= _comparable(got) <= high)
        except TypeError:
            return False
    return bool(_comparable(wanted) == _comparable(got))


def _comparable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return float(value)


def lines(results: Sequence[Result], verbose: bool) -> list[str]:
    out = []
    for result in results:
        out.append(say("evaluation.answer_figures", name=result.name,
                       polarity=result.polarity_accuracy, polarity_count=result.polarity_count,
                       fields=result.field_accuracy, fields_count=result.fields_count))
        if verbose and result.name != HELD_ASIDE:
            out.extend(result.misses)  # the held-aside set is a measure, never a to-do list
    return out


def run(folder: Path | None, verbose: bool) -> int:
    """The command: print each file's figures; exit 1 when one misses the bar."""
    results = evaluate(load_answer_sets(folder or DEFAULT_DIR))
    print("\n".join(lines(results, verbose)))
    return 0 if all(r.polarity_accuracy >= MIN_POLARITY_ACCURACY
                    and r.field_accuracy >= MIN_FIELD_ACCURACY for r in results) else 1
