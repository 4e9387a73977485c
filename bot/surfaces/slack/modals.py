"""Modals built from workflow definitions, and reading their submitted state back.

The same FieldSpecs that drive a DM conversation become input blocks here, so an
organisation that edits workflows/*.yaml changes both at once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from bot.surfaces.slack.blocks import OPTION_TEXT, modal, option, plain_text, section
from bot.surfaces.slack.escaping import plain

FIELD_BLOCK = "field:"
VALUE_ACTION = "value"
LABEL_TEXT = 2000
HINT_TEXT = 2000
PLACEHOLDER_TEXT = 150
# Slack's hard maximum for one plain_text_input; reporting caps each part lower anyway.
INPUT_MAX = 3000

YES_NO_OPTIONS = (("yes", "Yes"), ("no", "No"))


def field_block_id(name: str) -> str:
    return f"{FIELD_BLOCK}{name}"


def input_block(spec: Any, *, initial: Any = None, conditional: bool = False) -> dict[str, Any]:
    """One definition field as an input block whose element suits the field's type."""
    element = _element(spec, initial)
    block: dict[str, Any] = {
        "type": "input", "block_id": field_block_id(spec.name),
        "label": plain_text(spec.label, LABEL_TEXT), "element": element,
        # A conditional field may not apply, so Slack must let it be empty; the definition's
        # own rules decide after submission whether it was needed.
        "optional": (not spec.required) or conditional,
    }
    hint = spec.help or (spec.prompt if spec.prompt != spec.label else "")
    if hint:
        block["hint"] = plain_text(hint, HINT_TEXT)
    return block


def _element(spec: Any, initial: Any) -> dict[str, Any]:
    kind = spec.type
    if kind == "date":
        element: dict[str, Any] = {"type": "datepicker", "action_id": VALUE_ACTION}
        if isinstance(initial, dt.date):
            element["initial_date"] = initial.isoformat()
        return element
    if kind == "person":
        element = {"type": "users_select", "action_id": VALUE_ACTION}
        if initial:
            element["initial_user"] = initial
        return element
    if kind in {"choice", "yes_no"}:
        pairs = ([(o.value, o.label) for o in spec.options] if kind == "choice"
                 else list(YES_NO_OPTIONS))
        options = [option(label, value) for value, label in pairs][:100]
        element = {"type": "static_select" if len(options) > 5 else "radio_buttons",
                   "action_id": VALUE_ACTION, "options": options}
        if element["type"] == "radio_buttons" and len(options) > 10:
            element["type"] = "static_select"
        chosen = next((o for o in options if o["value"] == initial), None)
        if chosen:
            element["initial_option"] = chosen
        if element["type"] == "static_select":
            element["placeholder"] = plain_text("Choose one", PLACEHOLDER_TEXT)
        return element
    element = {"type": "plain_text_input", "action_id": VALUE_ACTION,
               "multiline": kind == "long_text", "max_length": INPUT_MAX}
    if kind == "money":
        element["placeholder"] = plain_text("£", PLACEHOLDER_TEXT)
    if isinstance(initial, str) and initial:
        element["initial_value"] = initial[:INPUT_MAX]
    return element


def fields_modal(title: str, fields: Iterable[Any], *, callback_id: str,
                 metadata: Mapping[str, Any], intro: Iterable[str] = (),
                 submit: str = "Submit", initial: Mapping[str, Any] | None = None
                 ) -> dict[str, Any]:
    """A modal asking every field at once, `intro` paragraphs first."""
    blocks = [section(text) for text in intro if text]
    for spec in fields:
        blocks.append(input_block(spec, initial=(initial or {}).get(spec.name),
                                  conditional=getattr(spec, "show_if", None) is not None))
    return modal(title, blocks, callback_id=callback_id, submit=submit,
                 private_metadata=json.dumps(dict(metadata)))


def submitted_values(state_values: Mapping[str, Any]) -> dict[str, Any]:
    """{field name: what Slack reports} from view.state.values, skipping empty inputs.

    Text comes back as a string, a date as an ISO string, a picked user as their id and a
    choice as its option value; anything else in the payload is left behind.
    """
    answers: dict[str, Any] = {}
    for block_id, actions in state_values.items():
        if not block_id.startswith(FIELD_BLOCK):
            continue
        state = actions.get(VALUE_ACTION) or {}
        value = _state_value(state)
        if value not in (None, ""):
            answers[block_id[len(FIELD_BLOCK):]] = value
    return answers


def _state_value(state: Mapping[str, Any]) -> Any:
    kind = state.get("type")
    if kind == "datepicker":
        return state.get("selected_date")
    if kind == "users_select":
        return state.get("selected_user")
    if kind in {"static_select", "radio_buttons"}:
        chosen = state.get("selected_option")
        return chosen.get("value") if chosen else None
    value = state.get("value")
    return value.strip() if isinstance(value, str) else value


def metadata_of(view: Mapping[str, Any]) -> dict[str, Any]:
    try:
        loaded = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def errors_for(problems: Mapping[str, str]) -> dict[str, str]:
    """Field problems keyed by the block Slack shows them under."""
    return {field_block_id(name): plain(text, OPTION_TEXT * 2) for name, text in problems.items()}


def text_input(block_id: str, label: str, *, multiline: bool = False, optional: bool = False,
               hint: str | None = None, max_length: int = INPUT_MAX) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input", "block_id": block_id, "label": plain_text(label, LABEL_TEXT),
        "optional": optional,
        "element": {"type": "plain_text_input", "action_id": VALUE_ACTION,
                    "multiline": multiline, "max_length": max_length},
    }
    if hint:
        block["hint"] = plain_text(hint, HINT_TEXT)
    return block


def select_input(block_id: str, label: str, choices: Iterable[tuple[str, str]], *,
                 optional: bool = False, initial: str | None = None) -> dict[str, Any]:
    options = [option(text, value) for value, text in choices]
    element: dict[str, Any] = {"type": "static_select", "action_id": VALUE_ACTION,
                               "options": options,
                               "placeholder": plain_text("Choose one", PLACEHOLDER_TEXT)}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen:
        element["initial_option"] = chosen
    return {"type": "input", "block_id": block_id, "label": plain_text(label, LABEL_TEXT),
            "optional": optional, "element": element}


def plain_values(state_values: Mapping[str, Any]) -> dict[str, str]:
    """{block id: value} for the simple inputs of Probity's own modals (follow-up, rationale)."""
    values = {}
    for block_id, actions in state_values.items():
        value = _state_value(actions.get(VALUE_ACTION) or {})
        if isinstance(value, str) and value:
            values[block_id] = value
    return values
