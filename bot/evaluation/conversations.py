"""`probity eval conversations`: scripted conversations driven through the real assistant.

Each conversation (tests/eval/conversations/*.yaml) is a person's opening message and how
they would answer each question, by field name, in their own words. The harness sends
the opening, accepts the offer if the script says so, answers whatever it is asked from
`answers` (saying yes to a suggestion it has no answer for), injects scripted corrections
when their question comes up, confirms at the summary and compares what was filed with
`expect`. A fixed clock (the file's `today`) makes dates repeatable.

Figures, reported for the `tune` and `held_out` splits separately and per workflow:
- right first time: the filed record has the expected workflow and every expected answer;
- re-prompts: replies of kind "problem" (the assistant did not take what was said);
- turns: messages the person sent; `excess` is turns beyond one for each question the
  opening did not answer (plus the opening, the offer's yes, each scripted correction and
  the confirmation), so 0 means nothing was asked twice or asked needlessly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import PROJECT_ROOT, Settings
from bot.messages import say
from bot.turns import Reply, Speaker, Turn
from bot.yamlio import load_yaml_file

DEFAULT_DIR = PROJECT_ROOT / "tests" / "eval" / "conversations"
#: The bar (tests/test_understanding_eval.py and CI hold the assistant to it).
MIN_RIGHT_FIRST_TIME = 0.9
MAX_REPROMPTS_PER_CONVERSATION = 0.5
MAX_MEDIAN_EXCESS_TURNS = 0
#: A conversation that has not filed after this many messages has failed.
MAX_TURNS = 45
#: The same question asked this many times with the scripted answer: give up on it.
MAX_ASKS = 3
SPLITS = ("tune", "held_out", "own")


@dataclass(frozen=True)
class Correction:
    when_asked: str
    say: str


@dataclass(frozen=True)
class Conversation:
    id: str
    source: str
    today: dt.date
    person: str | None
    opening: str
    accept_offer: str | None
    answers: Mapping[str, str]
    corrections: tuple[Correction, ...]
    confirm: str
    #: What they say if asked which kind of thing they mean ("someone gave me a present").
    clarify: str | None
    workflow: str | None
    expected: Mapping[str, Any]
    split: str
    file: str


@dataclass
class Outcome:
    """What happened in one conversation."""

    conversation: Conversation
    workflow: str | None = None
    filed: Mapping[str, Any] | None = None
    mismatches: list[str] = field(default_factory=list)
    reprompts: int = 0
    turns: int = 0
    overhead: int = 0
    questions: int = 0
    asked: list[str] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)

    @property
    def right(self) -> bool:
        return self.workflow == self.conversation.workflow and not self.mismatches

    @property
    def excess(self) -> int:
        """Turns beyond what the questions the opening left open need (0 is ideal)."""
        return self.turns - self.overhead - len(set(self.asked))


def load_conversations(folder: Path = DEFAULT_DIR) -> list[Conversation]:
    """Every conversation in the folder's *.yaml files, in file and then script order."""
    found = []
    for path in sorted(folder.glob("*.yaml")):
        raw = load_yaml_file(path) or {}
        today = _date(raw.get("today"))
        for item in raw.get("conversations") or []:
            found.append(_conversation(item, today, path.name))
    return found


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)) if value else dt.date(2026, 5, 12)


def _conversation(item: Mapping[str, Any], today: dt.date, file: str) -> Conversation:
    corrections = item.get("corrections") or ()
    if isinstance(corrections, Mapping):
        corrections = (corrections,)
    accept = item.get("accept_offer", True)
    expect = item.get("expect") or {}
    return Conversation(
        id=str(item.get("id")), source=str(item.get("source", "")),
        today=_date(item["today"]) if item.get("today") else today,
        person=item.get("as"), opening=str(item.get("opening", "")),
        accept_offer=("yes" if accept is True else None if accept in (False, None)
                      else str(accept)),
        answers={str(k): _words(v) for k, v in (item.get("answers") or {}).items()},
        corrections=tuple(Correction(str(c["when_asked"]), str(c["say"]))
                          for c in corrections),
        confirm=str(item.get("confirm") or "confirm"),
        clarify=str(item["clarify"]) if item.get("clarify") else None,
        workflow=None if expect.get("workflow") in (None, "none") else str(expect["workflow"]),
        expected=dict(expect.get("answers") or {}),
        split=str(item.get("split", "tune")), file=file)


def _words(value: Any) -> str:
    # YAML turns a bare yes/no into a bool and 40 into an int; the person typed words.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


class Harness:
    """Drives conversations through one assistant on a scratch store with a movable clock."""

    def __init__(self, settings: Settings, make_assistant: Callable[[Callable[[], dt.datetime]],
                                                                    Any]) -> None:
        self.settings = settings
        self.now = dt.datetime(2026, 5, 12, 9, 0, tzinfo=dt.UTC)
        self.assistant = make_assistant(lambda: self.now)
        self.captured: list[tuple[str, dict[str, Any]]] = []
        self._wrap_filers()

    def _wrap_filers(self) -> None:
        from bot.workflows.engine import date_precisions, effective_answers
        from bot.workflows.filing import FilerEntry

        filers = self.assistant.turns.filers
        for name, entry in list(filers.items()):
            if getattr(entry.filer, "_eval_wrapped", False):
                continue

            def filer(session: Any, filing: Any, _inner: Any = entry.filer) -> list[Reply]:
                replies: list[Reply] = _inner(session, filing)
                state = filing.state if isinstance(filing.state, Mapping) else \
                    filing.state.to_json()
                answers = dict(effective_answers(filing.definition, state["answers"],
                                                 filing.profile))
                for name, precision in date_precisions(filing.definition, state,
                                                       filing.profile).items():
                    answers[f"{name}_precision"] = precision
                self.captured.append((filing.definition.name, answers))
                return replies

            filer._eval_wrapped = True  # type: ignore[attr-defined]
            filers[name] = FilerEntry(filer, entry.identified)

    def run(self, conversation: Conversation, speaker: Speaker) -> Outcome:
        zone = ZoneInfo(self.settings.timezone)
        self.now = dt.datetime.combine(conversation.today, dt.time(10, 0),
                                       zone).astimezone(dt.UTC)
        talk = _Talk(self, conversation, speaker, len(self.captured))
        replies = talk.send(conversation.opening)
        talk.outcome.overhead = 1
        while talk.outcome.turns < MAX_TURNS and not talk.filed:
            if not replies:
                break
            following = talk.respond(replies[-1])
            if following is None:
                break
            replies = following
        return talk.finish()


@dataclass
class _Talk:
    """One scripted conversation in progress: what the person says to each reply."""

    harness: Harness
    conversation: Conversation
    speaker: Speaker
    captured_before: int
    outcome: Outcome = field(init=False)
    pending: list[Correction] = field(init=False)
    asks: dict[str, int] = field(default_factory=dict)
    clarified: bool = False
    offers: int = 0

    def __post_init__(self) -> None:
        self.outcome = Outcome(self.conversation)
        self.pending = list(self.conversation.corrections)

    @property
    def filed(self) -> bool:
        return len(self.harness.captured) > self.captured_before

    def send(self, text: str | None = None, action: str | None = None) -> list[Reply]:
        outcome = self.outcome
        outcome.turns += 1
        outcome.transcript.append(f"> {text if text is not None else '[' + str(action) + ']'}")
        key = f"eval:{self.conversation.file}:{self.conversation.id}"
        replies: list[Reply] = self.harness.assistant.handle(Turn(self.speaker, key, text=text,
                                                     action=action))
        for reply in replies:
            where = f":{reply.field}" if reply.field else ""
            outcome.transcript.append(f"  [{reply.kind}{where}] {reply.text[:160]}")
        outcome.reprompts += sum(1 for reply in replies if reply.kind == "problem")
        return replies

    def respond(self, last: Reply) -> list[Reply] | None:
        """The person's next message for the assistant's last reply, or None to stop."""
        conversation, outcome = self.conversation, self.outcome
        offer = last.data.get("offer")
        kinds = [c.value for c in last.choices if c.value.startswith("start:")]
        if last.data.get("did_you_mean") or (len(kinds) > 1 and not offer):
            # "Did you mean ...?" or "What would you like to declare?": they say what.
            outcome.overhead += 1
            if self.clarified or not conversation.clarify:
                wanted = f"start:{conversation.workflow}"
                return self.send(action=wanted) if wanted in kinds else self.send("no")
            self.clarified = True
            return self.send(conversation.clarify)
        if offer and last.kind == "question":
            if conversation.accept_offer is None or self.offers > 2:
                return None
            self.offers += 1
            outcome.overhead += 1
            return self.send(conversation.accept_offer)
        if last.kind == "summary":
            outcome.overhead += 1
            return self.send(conversation.confirm)
        if last.kind == "question" and last.field:
            return self.answer(last)
        return None

    def answer(self, last: Reply) -> list[Reply] | None:
        name, outcome = str(last.field), self.outcome
        correction = next((c for c in self.pending if c.when_asked == name), None)
        if correction is not None:
            self.pending.remove(correction)
            outcome.overhead += 1
            return self.send(correction.say)
        self.asks[name] = self.asks.get(name, 0) + 1
        outcome.asked.append(name)
        if self.asks[name] > MAX_ASKS:
            outcome.mismatches.append(say("evaluation.asked_too_often", field=name,
                                          times=self.asks[name]))
            return None
        if name in self.conversation.answers:
            return self.send(self.conversation.answers[name])
        if last.data.get("suggested") is not None:
            return self.send("yes")
        outcome.mismatches.append(say("evaluation.no_scripted_answer", field=name))
        return self.send("skip")

    def finish(self) -> Outcome:
        conversation, outcome = self.conversation, self.outcome
        if self.filed:
            outcome.workflow, outcome.filed = self.harness.captured[-1]
            outcome.questions = len(outcome.filed)
        elif conversation.workflow is not None:
            outcome.mismatches.append(say("evaluation.nothing_filed"))
        if outcome.filed is not None:
            outcome.mismatches += compare(conversation.expected, outcome.filed)
        if outcome.workflow != conversation.workflow:
            outcome.mismatches.insert(0, say("evaluation.wrong_workflow", got=outcome.workflow,
                                             wanted=conversation.workflow))
        return outcome


def compare(expected: Mapping[str, Any], filed: Mapping[str, Any]) -> list[str]:
    """A line for each expected answer the filed record does not match."""
    problems = []
    for name, wanted in expected.items():
        got = filed.get(name)
        if not matches(wanted, got):
            problems.append(say("evaluation.mismatch", field=name, wanted=wanted, got=got))
    return problems


def matches(wanted: Any, got: Any) -> bool:
    if isinstance(wanted, Mapping) and "contains" in wanted:
        needles = wanted["contains"]
        needles = needles if isinstance(needles, list) else [needles]
        text = _text_of(got).casefold()
        return got is not None and all(str(n).casefold() in text for n in needles)
    if isinstance(wanted, Mapping) and "between" in wanted:
        low, high = wanted["between"]
        return isinstance(got, int | float) and float(low) <= float(got) <= float(high)
    if isinstance(wanted, Mapping) and "any_of" in wanted:
        return any(matches(option, got) for option in wanted["any_of"])
    if wanted is None:
        return got in (None, "")
    if isinstance(got, Mapping):
        # A person answer is stored as {key, name}: the script names the staff key.
        return str(wanted).casefold() in {str(v).casefold() for v in got.values()}
    if isinstance(wanted, dt.date):
        return str(got) == wanted.isoformat()
    if isinstance(wanted, bool) or isinstance(got, bool):
        return wanted is got
    if isinstance(wanted, int | float) and isinstance(got, int | float):
        return abs(float(wanted) - float(got)) < 1e-6
    return str(wanted) == str(got)


def _text_of(value: Any) -> str:
    if isinstance(value, Mapping):
        return " ".join(str(v) for v in value.values())
    return "" if value is None else str(value)


@dataclass
class Figures:
    """The figures for a group of outcomes."""

    outcomes: list[Outcome]

    @property
    def count(self) -> int:
        return len(self.outcomes)

    @property
    def right_first_time(self) -> float:
        return sum(o.right for o in self.outcomes) / self.count if self.count else 0.0

    @property
    def reprompts(self) -> float:
        return sum(o.reprompts for o in self.outcomes) / self.count if self.count else 0.0

    @property
    def median_turns(self) -> float:
        return statistics.median(o.turns for o in self.outcomes) if self.outcomes else 0.0

    @property
    def median_excess(self) -> float:
        return statistics.median(o.excess for o in self.outcomes) if self.outcomes else 0.0

    def line(self, label: str) -> str:
        return say("evaluation.figures", label=label, count=self.count,
                   right=self.right_first_time, reprompts=self.reprompts,
                   turns=self.median_turns, excess=self.median_excess)

    @property
    def passed(self) -> bool:
        return (self.right_first_time >= MIN_RIGHT_FIRST_TIME
                and self.reprompts <= MAX_REPROMPTS_PER_CONVERSATION
                and self.median_excess <= MAX_MEDIAN_EXCESS_TURNS)


@dataclass
class Report:
    outcomes: list[Outcome]

    def split(self, name: str) -> Figures:
        return Figures([o for o in self.outcomes if o.conversation.split == name])

    def lines(self, verbose: bool = False, held_out_details: bool = False) -> list[str]:
        lines = []
        for split in SPLITS:
            figures = self.split(split)
            if not figures.count:
                continue
            lines.append(figures.line(split))
            for workflow in sorted({str(o.conversation.workflow) for o in figures.outcomes}):
                lines.append(Figures([o for o in figures.outcomes
                                      if str(o.conversation.workflow) == workflow])
                             .line(f"  {workflow}"))
        lines.append(Figures(self.outcomes).line("all"))
        for outcome in self.outcomes:
            if outcome.conversation.split == "held_out" and not held_out_details:
                continue  # the measure: not to be read while tuning
            if not outcome.right or outcome.reprompts or outcome.excess > 0:
                c = outcome.conversation
                lines.append(say("evaluation.failure", file=c.file, id=c.id, split=c.split,
                                 reprompts=outcome.reprompts, excess=outcome.excess,
                                 problems="; ".join(outcome.mismatches) or "ok"))
                if verbose:
                    lines += [f"    {line}" for line in outcome.transcript]
        return lines


def evaluate(conversations: Sequence[Conversation], settings: Settings | None = None,
             knowledge: Any = None) -> Report:
    """Run every conversation on a scratch store; `settings` gives workflows and knowledge."""
    from bot.app import build_assistant
    from bot.directory import load_directory, match_staff, sync_people
    from bot.store import Store

    with tempfile.TemporaryDirectory(prefix="probity-eval-") as scratch:
        base = settings or Settings.from_env()
        settings = dataclasses.replace(base, home=Path(scratch),
                                       database_url=None)
        # The fitted models are cached under the real PROBITY_HOME, so runs share them.
        models = base.home / "models"
        models.mkdir(parents=True, exist_ok=True)
        (Path(scratch) / "models").symlink_to(models.resolve(), target_is_directory=True)
        store = Store.open(settings)
        members = load_directory(settings.directory_file)
        with store.transaction() as session:
            sync_people(session, members, surface="console")

        def make(clock: Callable[[], dt.datetime]) -> Any:
            return build_assistant(settings, store, knowledge, clock=clock)

        harness = Harness(settings, make)
        outcomes = []
        try:
            for conversation in conversations:
                person = members[0]
                if conversation.person:
                    found = match_staff(conversation.person, members)
                    person = found[0] if found else person
                speaker = Speaker("console", person.key, person.name)
                outcomes.append(harness.run(conversation, speaker))
        finally:
            store.dispose()
    return Report(outcomes)


def run(folder: Path | None, verbose: bool, only: Iterable[str] = ()) -> int:
    """The command: print the figures; exit 1 when a split misses the bar."""
    conversations = load_conversations(folder or DEFAULT_DIR)
    wanted = set(only)
    if wanted:
        conversations = [c for c in conversations if c.id in wanted or c.split in wanted
                         or c.file in wanted]
    if not conversations:
        print(say("evaluation.none_found"))
        return 2
    report = evaluate(conversations)
    print("\n".join(report.lines(verbose)))
    return 0 if all(report.split(s).passed for s in SPLITS if report.split(s).count) else 1
