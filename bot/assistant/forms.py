"""Filing a whole form in one transaction: the form API's second half, after fill_form.

Surfaces (the Slack modals, the web forms) hand over a form's answers; they are validated
field by field by bot.workflows.forms.fill_form with the person's directory context, and a
complete form is filed by the workflow's filer in one transaction, exactly as a confirmed
conversation is. No conversation is replayed and no draft is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from bot.turns import Reply, Speaker, Turn
from bot.workflows.definitions import WorkflowDefinition
from bot.workflows.engine import DialogueContext
from bot.workflows.forms import fill_form

if TYPE_CHECKING:
    from bot.assistant.core import Assistant


@dataclass(frozen=True)
class FormOutcome:
    """What filing a form gave: problems by field name, or the filed replies."""

    problems: Mapping[str, str] = field(default_factory=dict)
    replies: tuple[Reply, ...] = ()
    reference: str | None = None
    already_filed: bool = False


def file_form(assistant: Assistant, speaker: Speaker | None, definition: WorkflowDefinition,
              answers: Mapping[str, Any], idempotency_key: str | None = None) -> FormOutcome:
    """Validate `answers` and, if every field is acceptable, file them in one transaction.

    `speaker` is None for a form whose filer must never learn who sent it (an anonymous
    report): then no person is read or created, and the filing carries no identity. A
    filer that needs no Person row (a confidential report) is given the speaker alone.
    The same `idempotency_key` filed twice returns the first record, marked already_filed.
    """
    turns = assistant.turns
    if speaker is None or not turns.filers[definition.files].needs_person:
        # No Person row is read or created: an anonymous report has nobody to name, and a
        # confidential one seals the speaker rather than keeping them in the directory.
        today = assistant.clock().astimezone(assistant.settings.zone).date()
        dialogue = DialogueContext(today=today)
        person_id, profile = None, {}
    else:
        key = idempotency_key or uuid.uuid4().hex
        context = turns.read(Turn(speaker, f"form:{key}", idempotency_key=idempotency_key))
        dialogue = assistant.dialogue_context(context, definition)
        today, person_id, profile = context.today, context.person_id, context.profile
    filled = fill_form(definition, answers, dialogue)
    if filled.state is None:
        return FormOutcome(problems=dict(filled.problems))
    state = filled.state.to_json()
    for attempt in range(2):
        try:
            with assistant.store.transaction() as session:
                replies = turns.file_state(session, definition, state, person_id=person_id,
                                           profile=profile, today=today,
                                           idempotency_key=idempotency_key, speaker=speaker)
            break
        except IntegrityError:
            # Two deliveries of one submission racing: the loser's filing hit the unique
            # key and was rolled back; filed again, the filer returns the winner's record.
            if attempt or not idempotency_key:
                raise
    filed = next((reply for reply in replies if reply.kind == "filed"), None)
    return FormOutcome(
        replies=(*filled.warnings, *replies),
        reference=filed.data.get("reference") if filed else None,
        already_filed=bool(filed and filed.data.get("already_filed")))
