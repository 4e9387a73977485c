"""Filing a declaration modal through the assistant, exactly as the DM conversation would.

The modal's answers are fed to the assistant one question at a time under a conversation
key of their own, so the same parsers, conditions, hints, route and filing code apply; a
question the engine re-asks becomes an error under that field in the modal. Every turn
carries the form's random key, which the filing code stores with the declaration in the
same transaction: a repeated submission gets the first declaration back, never a second.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from bot.store.models import Declaration
from bot.surfaces.slack.services import SlackServices
from bot.turns import Reply, Speaker, Turn

NEEDED = "Please answer this."


@dataclass
class FormResult:
    """What filing a modal gave: field problems to show, or the filed replies."""

    problems: dict[str, str] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    reference: str | None = None
    already_filed: bool = False


def file_form(services: SlackServices, speaker: Speaker, definition: Any,
              answers: Mapping[str, str], idempotency_key: str) -> FormResult:
    """Run `answers` through the workflow and file it; nothing is filed if any is refused."""
    # A conversation of this delivery's own: two deliveries of one submission running at
    # once must not answer each other's questions. The idempotency key joins them at filing.
    key = f"slack:form:{idempotency_key}:{uuid.uuid4().hex}"

    def turn(**said: str) -> Turn:
        return Turn(speaker, key, idempotency_key=idempotency_key, **said)

    replies = services.handle(turn(action=f"start:{definition.name}"))
    kept: list[Reply] = []
    # Each field is asked at most once, plus the summary; the bound stops a loop if the
    # engine ever re-asks without saying why.
    for _ in range(len(definition.fields) * 2 + 4):
        asked = _pending(replies)
        kept += [r for r in replies if r.kind == "warning"]
        problem = next((r for r in replies if r.kind == "problem"), None)
        if problem is not None:
            services.handle(turn(action="cancel"))
            # Two deliveries of one submission racing: the loser's filing hit the unique key
            # and was rolled back, while the winner's stands.
            earlier = _filed_with_key(services, idempotency_key)
            if earlier:
                return FormResult(reference=earlier, already_filed=True)
            return FormResult(problems={problem.field or asked or "": problem.text})
        filed = next((r for r in replies if r.kind == "filed"), None)
        if filed is not None:
            return FormResult(replies=kept + [filed], reference=filed.data.get("reference"),
                              already_filed=bool(filed.data.get("already_filed")))
        if asked is None:
            # At the summary: the person already saw their answers in the modal.
            replies = services.handle(turn(action="confirm"))
            continue
        value = answers.get(asked)
        if value in (None, ""):
            spec = definition.field(asked)
            if spec.required:
                services.handle(turn(action="cancel"))
                return FormResult(problems={asked: NEEDED})
            replies = services.handle(turn(action="skip"))
            continue
        replies = services.handle(turn(text=str(value)))
        if any(r.kind == "problem" for r in replies):
            # Name the field the engine was asking when it refused the answer.
            problem = next(r for r in replies if r.kind == "problem")
            services.handle(turn(action="cancel"))
            return FormResult(problems={asked: problem.text})
    services.handle(turn(action="cancel"))
    return FormResult(problems={"": "Sorry, this form could not be filed. Please try the "
                                    "conversation in a direct message instead."})


def _pending(replies: list[Reply]) -> str | None:
    """The field the last question asks about, or None at the summary."""
    for reply in reversed(replies):
        if reply.kind == "question" and reply.field:
            return reply.field
        if reply.kind == "summary":
            return None
    return None


def _filed_with_key(services: SlackServices, idempotency_key: str) -> str | None:
    with services.store.session() as session:
        return session.scalar(select(Declaration.reference).where(
            Declaration.idempotency_key == idempotency_key))

