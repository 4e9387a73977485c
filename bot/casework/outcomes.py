"""The outcomes the integrity unit may give each kind of declaration, and what each means."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.casework.errors import CaseworkError
from bot.messages import say
from bot.store.models import DeclarationKind, DeclarationStatus


class Outcome(StrEnum):
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    REFUSED = "refused"
    NOTED = "noted"
    # Notifiable associations are graded rather than approved.
    AWARE_ONLY = "aware_only"
    PERMITTED_WITH_CONDITIONS = "permitted_with_conditions"
    INAPPROPRIATE = "inappropriate"
    # Appeals.
    APPEAL_UPHELD = "appeal_upheld"
    APPEAL_DISMISSED = "appeal_dismissed"


@dataclass(frozen=True)
class OutcomeEffect:
    """What an outcome does to the declaration's status, and whether it needs conditions."""

    status: DeclarationStatus
    needs_conditions: bool = False


OUTCOMES_BY_KIND: dict[str, dict[Outcome, OutcomeEffect]] = {
    DeclarationKind.GIFT_HOSPITALITY: {
        Outcome.APPROVED: OutcomeEffect(DeclarationStatus.APPROVED),
        Outcome.APPROVED_WITH_CONDITIONS: OutcomeEffect(
            DeclarationStatus.APPROVED_WITH_CONDITIONS, needs_conditions=True),
        Outcome.REFUSED: OutcomeEffect(DeclarationStatus.REFUSED),
        # A declined offer or a small gift needs no approval, only recording.
        Outcome.NOTED: OutcomeEffect(DeclarationStatus.NOTED),
    },
    DeclarationKind.BUSINESS_INTEREST: {
        Outcome.APPROVED: OutcomeEffect(DeclarationStatus.APPROVED),
        Outcome.APPROVED_WITH_CONDITIONS: OutcomeEffect(
            DeclarationStatus.APPROVED_WITH_CONDITIONS, needs_conditions=True),
        Outcome.REFUSED: OutcomeEffect(DeclarationStatus.REFUSED),
    },
    DeclarationKind.NOTIFIABLE_ASSOCIATION: {
        Outcome.AWARE_ONLY: OutcomeEffect(DeclarationStatus.NOTED),
        Outcome.PERMITTED_WITH_CONDITIONS: OutcomeEffect(
            DeclarationStatus.APPROVED_WITH_CONDITIONS, needs_conditions=True),
        # Action is required: the association may not continue as it stands.
        Outcome.INAPPROPRIATE: OutcomeEffect(DeclarationStatus.REFUSED),
    },
}

# Words officers type for the same outcome.
_ALIASES = {
    "approve": Outcome.APPROVED,
    "approved_with_condition": Outcome.APPROVED_WITH_CONDITIONS,
    "approve_with_conditions": Outcome.APPROVED_WITH_CONDITIONS,
    "conditional": Outcome.APPROVED_WITH_CONDITIONS,
    "refuse": Outcome.REFUSED,
    "reject": Outcome.REFUSED,
    "rejected": Outcome.REFUSED,
    "note": Outcome.NOTED,
    "aware": Outcome.AWARE_ONLY,
    "no_action": Outcome.AWARE_ONLY,
    "permitted": Outcome.PERMITTED_WITH_CONDITIONS,
    "permit_with_conditions": Outcome.PERMITTED_WITH_CONDITIONS,
    "action_required": Outcome.INAPPROPRIATE,
    "upheld": Outcome.APPEAL_UPHELD,
    "uphold": Outcome.APPEAL_UPHELD,
    "dismissed": Outcome.APPEAL_DISMISSED,
    "dismiss": Outcome.APPEAL_DISMISSED,
}


def _key(text: str) -> str:
    return re.sub(r"[^a-z]+", "_", text.strip().lower()).strip("_")


def parse_outcome(text: str) -> Outcome | None:
    key = _key(text)
    try:
        return Outcome(key)
    except ValueError:
        return _ALIASES.get(key)


def outcome_for(kind: str, text: str) -> tuple[Outcome, OutcomeEffect]:
    """The outcome `text` names for a `kind` of declaration; otherwise the valid ones."""
    allowed = OUTCOMES_BY_KIND.get(kind)
    if allowed is None:
        raise CaseworkError(say("casework.unknown_kind", kind=repr(kind)))
    outcome = parse_outcome(text)
    if outcome not in allowed:
        choices = ", ".join(allowed)
        raise CaseworkError(say("casework.not_an_outcome", text=repr(text), choices=choices))
    return outcome, allowed[outcome]


def describe(outcome: str) -> str:
    """An outcome in plain words, for people rather than programs."""
    return outcome.replace("_", " ")
