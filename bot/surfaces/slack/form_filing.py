"""Filing a declaration modal through the assistant, exactly as the DM conversation would.

The modal's answers are fed to the assistant one question at a time under a conversation
key of their own, so the same parsers, conditions, hints, route and filing code apply; a
question the engine re-asks becomes an error under that field in the modal.
"""

from __future__ import annotations

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
    earlier = _filed_with_key(services, idempotency_key)
    if earlier:
        return FormResult(reference=earlier, already_filed=True)
    key = f"slack:form:{idempotency_key}"
    replies = services.handle(Turn(speaker, key, action=f"start:{definition.name}"))
    kept: list[Reply] = []
    # Each field is asked at most once, plus the summary; the bound stops a loop if the
    # engine ever re-asks without saying why.
    for _ in range(len(definition.fields) * 2 + 4):
        asked = _pending(replies)
        kept += [r for r in replies if r.kind == "warning"]
        problem = next((r for r in replies if r.kind == "problem"), None)
        if problem is not None:
            services.handle(Turn(speaker, key, action="cancel"))
            return FormResult(problems={problem.field or asked or "": problem.text})
        filed = next((r for r in replies if r.kind == "filed"), None)
        if filed is not None:
            reference = filed.data.get("reference")
            if reference:
                _remember_key(services, reference, idempotency_key)
            return FormResult(replies=kept + [filed], reference=reference)
        if asked is None:
            # At the summary: the person already saw their answers in the modal.
            replies = services.handle(Turn(speaker, key, action="confirm"))
            continue
        value = answers.get(asked)
        if value in (None, ""):
            spec = definition.field(asked)
            if spec.required:
                services.handle(Turn(speaker, key, action="cancel"))
                return FormResult(problems={asked: NEEDED})
            replies = services.handle(Turn(speaker, key, action="skip"))
            continue
        replies = services.handle(Turn(speaker, key, text=str(value)))
        if any(r.kind == "problem" for r in replies):
            # Name the field the engine was asking when it refused the answer.
            problem = next(r for r in replies if r.kind == "problem")
            services.handle(Turn(speaker, key, action="cancel"))
            return FormResult(problems={asked: problem.text})
    services.handle(Turn(speaker, key, action="cancel"))
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


def _remember_key(services: SlackServices, reference: str, idempotency_key: str) -> None:
    # The filing code takes no idempotency key yet, so it is set just after; a retry that
    # lands between the two would file again (see the report to issue 4).
    with services.store.transaction() as session:
        declaration = session.scalars(select(Declaration).where(
            Declaration.reference == reference)).one()
        declaration.idempotency_key = idempotency_key
