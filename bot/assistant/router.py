"""The router: from a turn's context to its outcome, writing nothing.

Order of routing: a surface's "resume"; a plug-in's dialogue in progress; a pressed
"start" button; a workflow in progress (a policy question asked mid-way is answered, then
the pending question is asked again); the offer to start a workflow that was just made;
keyword commands; free text that sounds like a declaration ("It sounds like you want to
declare ... Start?"); otherwise a policy question.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.messages import say
from bot.plugins import Outcome, TurnContext
from bot.turns import RESUME, Choice, Reply
from bot.workflows import engine
from bot.workflows.definitions import WorkflowDefinition
from bot.workflows.drafts import Draft
from bot.workflows.engine import UserInput
from bot.workflows.fields import parse_yes_no
from bot.workflows.intents import control_word, looks_like_question, normalise
from bot.workflows.understanding.intent import (
    DECLARE_SOMETHING,
    FOLLOW_UP,
    SMALL_TALK,
    Intent,
    speaks_of_self,
)

if TYPE_CHECKING:
    from bot.assistant.core import Assistant

#: How likely a workflow must be, for a question about it to be offered it after the answer.
OFFER_AFTER_ANSWER = 0.3
#: How likely a workflow must be, for a statement to be offered it outright.
OFFER_STATEMENT = 0.45
#: The same as OFFER_AFTER_ANSWER for a question about the person's own situation ("I do
#: nails from home, do I have to tell work?"), which the policy-question class pulls to it.
OFFER_OWN_SITUATION = 0.12


def route(assistant: Assistant, context: TurnContext) -> Outcome:
    """What to say and write for this turn."""
    draft = context.draft
    if context.action == RESUME:
        # A surface opening a new session asks where the person left off, so a draft
        # kept from last time is never answered by words meant for something else.
        if draft and draft.workflow in assistant.definitions:
            return pending(assistant, context, draft, "assistant.resuming")
        return _attention(assistant, context) or Outcome([])
    if draft and draft.workflow in assistant.dialogues:
        return assistant.dialogues[draft.workflow](assistant, context, draft)
    if context.action:
        # A plug-in's own button (a policy acknowledged from an old message) is taken
        # even while a workflow is in progress; the workflow's draft is kept as it is.
        outcome = _attention(assistant, context)
        if outcome is not None:
            return outcome
    if context.action and context.action.startswith("start:"):
        outcome = _start_pressed(assistant, context, draft, context.action.removeprefix("start:"))
        if outcome is not None:
            return outcome
    if draft and draft.workflow:
        return _continue(assistant, context, draft)
    if draft and draft.state.get("offer"):
        return _after_offer(assistant, context, draft)
    return _fresh(assistant, context)


def _start_pressed(assistant: Assistant, context: TurnContext, draft: Draft | None,
                   name: str) -> Outcome | None:
    if draft and draft.workflow and draft.workflow != name:
        return pending(assistant, context, draft, "assistant.busy")
    if not (draft and draft.workflow == name):
        return assistant.begin(context, name, opening_for(draft, name))
    return None  # already in that workflow: the press is a turn of it


def _after_offer(assistant: Assistant, context: TurnContext, draft: Draft) -> Outcome:
    said = control_word(context.text)
    if said is None and context.text and not context.action:
        # "yes but don't name me", "aye", "go for it", "nah not bothered": a plain yes or no
        # leading a longer answer, or one the word lists miss.
        plain = parse_yes_no(context.text)
        said = ("yes" if plain.value else "no") if plain.ok else \
            assistant.understanding.offer_answer(context.text)
    if context.action == "dismiss" or said == "no":
        return Outcome([Reply(say("assistant.offer_declined"))], delete=True)
    if said in {"yes", "confirm"}:
        name = draft.state["offer"]
        return assistant.begin(context, name, opening_for(draft, name))
    outcome = _fresh(assistant, context)
    if outcome.save is None and outcome.file is None:
        outcome.delete = True
    return outcome


def _fresh(assistant: Assistant, context: TurnContext) -> Outcome:
    said = normalise(context.text)
    if not said:
        return assistant.commands_by_name["help"].run(assistant, context, "")
    for command in assistant.commands:
        rest = command.matches(said)
        if rest is not None:
            return command.run(assistant, context, rest)
    outcome = _attention(assistant, context)
    if outcome is not None:
        return outcome
    intent = assistant.understanding.intent(context.text)
    if intent is not None and intent.label == FOLLOW_UP and "follow up" in \
            assistant.commands_by_name:
        return assistant.commands_by_name["follow up"].run(assistant, context, "")
    if intent is not None and intent.label == DECLARE_SOMETHING and intent.sure:
        return assistant.choose_kind()
    if intent is not None and intent.label == SMALL_TALK and intent.sure:
        return Outcome([Reply(say("understanding.small_talk"))])
    question = looks_like_question(context.text)
    if not question and intent is not None and intent.alternative is not None:
        return _did_you_mean(assistant, context, intent)
    wanted = None if question else _offered(assistant, intent, OFFER_STATEMENT)
    if wanted is not None:
        return assistant.offer(context, wanted, "assistant.offer", opening=context.text)
    outcome = assistant.answer_question(context, context.text)
    # After an answer, offer only when the question is about something to declare ("I was
    # offered tickets, can I...?"), kept with its words so the facts in it are not asked.
    threshold = OFFER_OWN_SITUATION if speaks_of_self(context.text) else OFFER_AFTER_ANSWER
    wanted = _offered(assistant, intent, threshold, second=True)
    if wanted is not None:
        offer = assistant.offer(context, wanted, "assistant.offer_after_answer",
                                opening=context.text)
        outcome.replies += offer.replies
        outcome.save = offer.save
    return outcome


def workflow_meant(assistant: Assistant, text: str) -> WorkflowDefinition | None:
    """The workflow a statement sounds like it wants started, if the model is sure enough."""
    return _offered(assistant, assistant.understanding.intent(text), OFFER_STATEMENT)


def _offered(assistant: Assistant, intent: Intent | None, threshold: float,
             second: bool = False) -> WorkflowDefinition | None:
    """The workflow to offer: the best label if it is one, or (`second`) the best workflow
    among the model's alternatives, when it is at least `threshold` likely."""
    if intent is None:
        return None
    ranked = [(intent.label, intent.confidence)]
    if second and assistant.understanding.intents is not None:
        ranked = list(intent.ranked)
    for label, confidence in ranked:
        if label in assistant.definitions and confidence >= threshold:
            return assistant.definitions[label]
    return None


def _did_you_mean(assistant: Assistant, context: TurnContext, intent: Intent) -> Outcome:
    """Two workflows fit about equally: ask which, keeping the words for whichever it is."""
    first = assistant.definitions[intent.label]
    second = assistant.definitions[intent.alternative or ""]
    reply = Reply(say("understanding.did_you_mean", first=first.noun, second=second.noun),
                  kind="question",
                  choices=tuple(Choice(f"start:{d.name}", d.title) for d in (first, second))
                  + (Choice("dismiss", say("assistant.not_now")),),
                  data={"offer": first.name, "did_you_mean": [first.name, second.name]})
    state = {"offer": first.name, "offers": [first.name, second.name], "opening": context.text}
    draft = Draft(context.turn.conversation_key, None, state,
                  in_memory=not (first.persist_draft and second.persist_draft))
    return Outcome([reply], save=draft)


def _attention(assistant: Assistant, context: TurnContext) -> Outcome | None:
    """The first plug-in that has something to raise or take from this turn."""
    for attention in assistant.attentions:
        outcome = attention(assistant, context)
        if outcome is not None:
            return outcome
    return None


def _continue(assistant: Assistant, context: TurnContext, draft: Draft) -> Outcome:
    definition = assistant.definitions.get(draft.workflow or "")
    if definition is None:
        return Outcome([Reply(say("assistant.workflow_gone"), kind="problem")], delete=True)
    dialogue = assistant.dialogue_context(context, definition)
    said = normalise(context.text)
    if said and not context.action:
        for command in assistant.commands:
            rest = command.matches(said)
            if rest is None or command.when_busy == "pass" or (
                    rest and not command.argument_when_busy):
                continue
            if command.when_busy == "refuse":
                return pending(assistant, context, draft, "assistant.busy")
            outcome = command.run(assistant, context, rest)
            outcome.replies += engine.reprompt(definition, draft.state, dialogue).replies
            return Outcome(outcome.replies, save=draft)
    step = engine.advance(definition, draft.state,
                          UserInput(context.text or None, context.action), dialogue)
    kept = Draft(draft.key, definition.name, step.state.to_json(), not definition.persist_draft)
    if step.policy_question:
        outcome = assistant.answer_question(context, step.policy_question,
                                            definition.question_context)
        outcome.replies += engine.reprompt(definition, step.state, dialogue).replies
        outcome.save = kept
        if not definition.persist_draft:
            # A question asked inside a workflow that leaves no trace (a report) may quote
            # what is being reported: the owners' log of unanswered questions must not.
            outcome.unanswered = None
        return outcome
    if step.status == engine.CONFIRMED:
        return Outcome(list(step.replies), file=(definition, step.state.to_json()))
    if step.status == engine.CANCELLED_STATUS:
        return Outcome(list(step.replies), delete=True)
    return Outcome(list(step.replies), save=kept)


def pending(assistant: Assistant, context: TurnContext, draft: Draft, notice: str) -> Outcome:
    """Say the `notice` key about the workflow in progress, then ask its pending question."""
    definition = assistant.definitions[draft.workflow or ""]
    step = engine.reprompt(definition, draft.state,
                           assistant.dialogue_context(context, definition))
    return Outcome([Reply(say(notice, title=definition.title))] + list(step.replies),
                   save=draft)


def opening_for(draft: Draft | None, name: str) -> str | None:
    """The words that led to the offer of workflow `name`, if that was the offer made."""
    if draft is None or name not in (draft.state.get("offers") or [draft.state.get("offer")]):
        return None
    opening = draft.state.get("opening")
    return opening if isinstance(opening, str) else None
