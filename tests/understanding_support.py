"""What the understanding tests share: the bundled workflows, the models trained from them
once per test module, and a dialogue context on a fixed Wednesday with one line manager.

tests/conftest.py offers the fixtures to every module; a module may define its own instead."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.config import PROJECT_ROOT
from bot.directory import StaffMember, match_staff
from bot.workflows.definitions import WorkflowDefinition, load_definitions, scan_policy_sections
from bot.workflows.engine import DialogueContext
from bot.workflows.understanding import Understanding

TODAY = dt.date(2026, 11, 18)  # a Wednesday
SERGEANT = StaffMember("tom.reid", "Tom Reid", "Sgt", "officer", team="Response")


@pytest.fixture(scope="module")
def definitions() -> dict[str, WorkflowDefinition]:
    return load_definitions(PROJECT_ROOT / "workflows",
                            scan_policy_sections(PROJECT_ROOT / "policies"))


@pytest.fixture(scope="module")
def understanding(definitions: dict[str, WorkflowDefinition],
                  tmp_path_factory: pytest.TempPathFactory) -> Understanding:
    return Understanding.build(definitions.values(), PROJECT_ROOT / "knowledge",
                               tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def context(understanding: Understanding) -> DialogueContext:
    return DialogueContext(TODAY, {"staff_type": "officer"}, (SERGEANT,), SERGEANT,
                           match_staff, understanding=understanding)
