"""The workflow catalogue: every validated definition, loaded once, with typed accessors.

Casework and reporting ask it for the numbers and lists an organisation tunes in
workflows/*.yaml (the gift value limit, the review cycle, the report categories, the
tender question) instead of reading the YAML themselves; the composition root (bot.app)
builds one and hands it to both. There is one parser of workflow files: the validated
loader in bot.workflows.definitions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.workflows.definitions import (
    PolicySection,
    WorkflowDefinition,
    load_definitions,
    scan_policy_sections,
)

#: The limit a gift workflow names for "worth this much or more needs approval".
GIFT_LIMIT = "value_limit"
GIFT_KIND = "gift_hospitality"
INTEREST_KIND = "business_interest"
REPORT_FILES = "report"


@dataclass(frozen=True)
class WorkflowCatalogue(Mapping[str, WorkflowDefinition]):
    """Definitions by name; also a read-only mapping, so it goes where definitions did."""

    definitions: Mapping[str, WorkflowDefinition]

    @classmethod
    def load(cls, workflows_dir: Path, sections: list[PolicySection] | None = None,
             policies_dir: Path | None = None) -> WorkflowCatalogue:
        """Every definition in `workflows_dir`, validated; raises DefinitionError.

        Hints are checked against `sections`, else the Markdown headings in `policies_dir`.
        """
        if sections is None:
            sections = scan_policy_sections(policies_dir) if policies_dir else []
        return cls(load_definitions(workflows_dir, sections))

    def __getitem__(self, name: str) -> WorkflowDefinition:
        return self.definitions[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.definitions)

    def __len__(self) -> int:
        return len(self.definitions)

    def for_kind(self, kind: str) -> WorkflowDefinition | None:
        """The workflow that files declarations of `kind`, if one is installed."""
        return next((d for d in self.definitions.values()
                     if d.files == "declaration" and d.kind == kind), None)

    def filing(self, files: str) -> WorkflowDefinition | None:
        """The first workflow whose `files:` is `files` ("report"), if any."""
        return next((d for d in self.definitions.values() if d.files == files), None)

    def gift_limit_pence(self) -> int | None:
        """The gift workflow's value limit (`limits: value_limit`), in pence."""
        gift = self.for_kind(GIFT_KIND)
        return gift.limits.get(GIFT_LIMIT) if gift else None

    def review_cycle_months(self, kind: str = INTEREST_KIND) -> int | None:
        """How often declarations of `kind` are reviewed (`review_cycle_months`)."""
        definition = self.for_kind(kind)
        return definition.review_cycle_months if definition else None

    def tender_field(self) -> str | None:
        """The gift workflow's yes/no question about a running tender, by name."""
        gift = self.for_kind(GIFT_KIND)
        return next((spec.name for spec in gift.fields
                     if spec.type == "yes_no" and "tender" in spec.name.lower()),
                    None) if gift else None

    def report_categories(self) -> dict[str, str]:
        """Option value -> label of the report workflow's `category` question ({} if none)."""
        report = self.filing(REPORT_FILES)
        category = next((spec for spec in report.fields if spec.name == "category"),
                        None) if report else None
        if category is None:
            return {}
        return {option.value: option.label or option.value for option in category.options}
