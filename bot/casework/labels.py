"""Plain labels for what the store keeps as codes: statuses, outcomes, answers and instants.

`tender_running False` and `2026-07-01T09:00:00+00:00` are how records are stored, not how
a handler reads them: the CLI's `casework show` and the web console both speak through here,
with each answer labelled as its workflow's YAML labels the question.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.messages import catalogue, say
from bot.workflows.parsing.dates import format_date
from bot.workflows.parsing.money import format_money
from bot.yamlio import load_yaml_file

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _coded(prefix: str, code: str | None) -> str:
    """The catalogue's wording for `code` under `prefix`, else the code in plain words."""
    if not code:
        return say("labels.none")
    key = f"labels.{prefix}_{code}"
    return say(key) if catalogue().has(key) else code.replace("_", " ").capitalize()


def status_label(status: str | None) -> str:
    return _coded("status", status)


def outcome_label(outcome: str | None) -> str:
    return _coded("outcome", outcome)


def kind_label(kind: str | None) -> str:
    return _coded("kind", kind)


def stage_label(stage: str | None) -> str:
    return _coded("stage", stage)


def report_status_label(status: str | None) -> str:
    return _coded("report", status)


def field_label(name: str) -> str:
    """A register entry's column ("decision_due") as a heading ("Decision due")."""
    return _coded("field", name)


def when(instant: dt.datetime | None, zone: ZoneInfo) -> str:
    """An instant as a person in `zone` reads it: "Wednesday 1 July 2026, 10:00"."""
    if instant is None:
        return say("labels.none")
    local = instant.astimezone(zone)
    return f"{format_date(local.date())}, {local:%H:%M}"


def day(value: dt.date | None) -> str:
    return format_date(value) if value is not None else say("labels.none")


def plain(value: Any, zone: ZoneInfo) -> str:
    """Any stored value in words: yes/no, dates written out, instants in `zone`, lists joined."""
    if value is None or value == "":
        return say("labels.none")
    if isinstance(value, bool):
        return say("labels.answer_yes") if value else say("labels.answer_no")
    if isinstance(value, dt.datetime):
        return when(value, zone)
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, list):
        return ", ".join(plain(item, zone) for item in value)
    if isinstance(value, dict):
        # A person answer keeps {"key", "name"}; show the name.
        if "name" in value:
            return str(value["name"])
        return ", ".join(f"{key}: {plain(item, zone)}" for key, item in value.items())
    if isinstance(value, str):
        if _ISO_DAY.match(value):
            return format_date(dt.date.fromisoformat(value))
        if _ISO_INSTANT.match(value):
            try:
                return when(dt.datetime.fromisoformat(value), zone)
            except ValueError:
                return value
    return str(value)


@dataclass(frozen=True)
class FieldLabel:
    label: str
    type: str
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerLabels:
    """Each workflow's questions, by kind: the label a person reads and how to show the answer."""

    by_kind: dict[str, dict[str, FieldLabel]] = field(default_factory=dict)

    @classmethod
    def load(cls, workflows_dir: Path) -> AnswerLabels:
        """Read the labels from the workflow files; an unreadable file just gives no labels
        (the answers are still shown, under their field names)."""
        by_kind: dict[str, dict[str, FieldLabel]] = {}
        for path in sorted(workflows_dir.glob("*.yaml")):
            try:
                raw = load_yaml_file(path) or {}
            except Exception:  # noqa: BLE001 - labels are a nicety, never a reason to fail
                continue
            if not isinstance(raw, dict) or not raw.get("kind"):
                continue
            fields: dict[str, FieldLabel] = {}
            for item in raw.get("fields") or []:
                if not isinstance(item, dict) or "name" not in item:
                    continue
                options = {str(option.get("value")): str(option.get("label"))
                           for option in item.get("options") or []
                           if isinstance(option, dict) and "label" in option}
                fields[str(item["name"])] = FieldLabel(
                    str(item.get("label") or item["name"]), str(item.get("type") or "text"),
                    options)
            by_kind.setdefault(str(raw["kind"]), {}).update(fields)
        return cls(by_kind)

    def rows(self, kind: str, answers: dict[str, Any], zone: ZoneInfo) -> list[tuple[str, str]]:
        """(question label, answer in words) for each answer, in the workflow's order."""
        known = self.by_kind.get(kind, {})
        ordered = [name for name in known if name in answers] + \
            [name for name in answers if name not in known]
        rows = []
        for name in ordered:
            spec = known.get(name)
            value = answers[name]
            if spec is None:
                rows.append((name.replace("_", " ").capitalize(), plain(value, zone)))
                continue
            if spec.type == "money" and isinstance(value, int | float) \
                    and not isinstance(value, bool):
                text = format_money(int(value))
            elif spec.options and isinstance(value, str) and value in spec.options:
                text = spec.options[value]
            elif spec.options and isinstance(value, list):
                text = ", ".join(spec.options.get(str(item), str(item)) for item in value)
            else:
                text = plain(value, zone)
            rows.append((spec.label, text))
        return rows
