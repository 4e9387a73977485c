"""A guided workflow's draft state: frozen and typed, with an explicit JSON round-trip.

The engine takes and returns a DraftState; the conversation store keeps `to_json()` in
Conversation.state, and `from_json()` reads it back. The JSON is the dict the engine has
always stored (same keys), and `from_json` fills in the keys older drafts lack
(`precisions`, `suggested`, `partial`), so drafts saved before this module existed resume
without a migration.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, cast

Phase = Literal["asking", "summary", "choosing_change", "confirmed", "cancelled"]
ASKING: Phase = "asking"
SUMMARY: Phase = "summary"
CHOOSING_CHANGE: Phase = "choosing_change"
CONFIRMED: Phase = "confirmed"
CANCELLED: Phase = "cancelled"
PHASES: frozenset[str] = frozenset({ASKING, SUMMARY, CHOOSING_CHANGE, CONFIRMED, CANCELLED})


class StateError(ValueError):
    """Stored state that is not a workflow draft (a fault, never a person's input)."""


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(copy.deepcopy(dict(mapping or {})))


@dataclass(frozen=True)
class DraftState:
    """Where one person is in one workflow: answers so far, and what they were last asked."""

    workflow: str
    version: str
    #: Field name -> the answer's JSON value (dates as ISO text, money in pence, a person as
    #: {"key", "name"}).
    answers: Mapping[str, Any] = field(default_factory=dict)
    #: Field name -> the answer as the person saw it confirmed ("£40.00", "12 May 2026").
    displays: Mapping[str, str] = field(default_factory=dict)
    #: Optional fields the person left blank, in the order they skipped them.
    skipped: tuple[str, ...] = ()
    #: The field being asked, or None at the summary.
    pending: str | None = None
    phase: Phase = ASKING
    #: Field name -> "month" | "year" for a date that stands for a whole month or year.
    precisions: Mapping[str, str] = field(default_factory=dict)
    #: Field name -> {"value", "display", "precision"} the opening words suggested.
    suggested: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: The part of a rejected answer that was understood ({"field", "text"}), for the next.
    partial: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        # Read-only views of private copies: a caller holding the dicts it passed in cannot
        # change a state after the fact, and the engine cannot change the caller's.
        object.__setattr__(self, "answers", _frozen(self.answers))
        object.__setattr__(self, "displays", _frozen(self.displays))
        object.__setattr__(self, "precisions", _frozen(self.precisions))
        object.__setattr__(self, "suggested", _frozen(self.suggested))
        object.__setattr__(self, "skipped", tuple(self.skipped))
        if self.partial is not None:
            object.__setattr__(self, "partial", _frozen(self.partial))
        if self.phase not in PHASES:
            raise StateError(f"unknown phase {self.phase!r}")

    def to_json(self) -> dict[str, Any]:
        """The plain-JSON form stored in Conversation.state (a fresh, mutable copy)."""
        data: dict[str, Any] = {
            "workflow": self.workflow, "version": self.version,
            "answers": copy.deepcopy(dict(self.answers)),
            "displays": dict(self.displays), "skipped": list(self.skipped),
            "pending": self.pending, "phase": self.phase,
            "precisions": dict(self.precisions),
            "suggested": {name: dict(value) for name, value in self.suggested.items()},
        }
        if self.partial is not None:
            data["partial"] = dict(self.partial)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DraftState:
        """Read a stored state, including the older shape without precisions or suggestions.

        Raises StateError if `data` is not a workflow draft at all.
        """
        if not isinstance(data, Mapping) or "answers" not in data:
            raise StateError("draft-state expected")
        suggested = data.get("suggested") or {}
        partial = data.get("partial")
        return cls(
            workflow=str(data.get("workflow") or ""),
            version=str(data.get("version") or ""),
            answers=data.get("answers") or {},
            displays=data.get("displays") or {},
            skipped=tuple(data.get("skipped") or ()),
            pending=data.get("pending"),
            phase=cast(Phase, data.get("phase") or ASKING),
            precisions=data.get("precisions") or {},
            suggested={name: value for name, value in suggested.items()
                       if isinstance(value, Mapping)},
            partial=partial if isinstance(partial, Mapping) else None,
        )

    @classmethod
    def of(cls, state: DraftState | Mapping[str, Any]) -> DraftState:
        """`state` as a DraftState, whether given as one or as its stored JSON."""
        return state if isinstance(state, DraftState) else cls.from_json(state)
