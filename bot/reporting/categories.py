"""The fixed list of report categories that may be stored in clear, read from the report workflow.

A report's category is the one fact about it kept unsealed, so handlers can list and count
reports (and the force can publish statistics) without the sealing key. That is safe only if
the column can hold nothing but a value from a short, fixed list: anything a reporter typed in
their own words could name a person or a place. So the clear column takes the workflow's option
value (`corruption`); any other wording is listed as `other`, and the reporter's own wording is
sealed with the rest of the report.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from bot.workflows.catalogue import WorkflowCatalogue
from bot.workflows.definitions import DefinitionError

log = logging.getLogger(__name__)

OTHER = "other"


def load_report_categories(workflows_dir: Path, policies_dir: Path | None = None
                           ) -> dict[str, str]:
    """Option value -> label of the `category` field of the workflow that `files: report`,
    through the validated workflow catalogue (bot.workflows.catalogue).

    Empty if there is none or the workflows cannot be loaded; then every report is listed
    as `other`.
    """
    # Called for every reporting step outside the root (the chat's follow-up, the CLI):
    # read the files again only when one of them changed.
    return dict(_categories(workflows_dir, policies_dir, _signature(workflows_dir),
                            _signature(policies_dir) if policies_dir else ()))


Signature = tuple[tuple[str, int], ...]


def _signature(directory: Path) -> Signature:
    return tuple((path.name, path.stat().st_mtime_ns) for path in sorted(directory.glob("*"))
                 if path.is_file())


@lru_cache(maxsize=8)
def _categories(workflows_dir: Path, policies_dir: Path | None, workflows: Signature,
                policies: Signature) -> tuple[tuple[str, str], ...]:
    try:
        categories = WorkflowCatalogue.load(workflows_dir,
                                            policies_dir=policies_dir).report_categories()
    except DefinitionError as error:
        log.warning("workflows not loaded for report categories (%s)", error)
        categories = {}
    if not categories:
        log.warning("no report workflow with a category field in %s; reports are listed as %r",
                    workflows_dir, OTHER)
    return tuple(categories.items())


def listed_category(categories: Mapping[str, str], given: str) -> str:
    """What may go in the clear column for a category given as a value or a label."""
    wanted = " ".join(given.split()).casefold()
    for value, label in categories.items():
        if wanted in (value.casefold(), " ".join(label.split()).casefold()):
            return value
    return OTHER


def category_label(categories: Mapping[str, str], value: str) -> str:
    """How a listed category is shown to people."""
    return categories.get(value, "Other" if value == OTHER else value)
