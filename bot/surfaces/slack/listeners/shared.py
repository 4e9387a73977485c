"""Small pieces several listeners share: a private word to one person, a modal answered
within Slack's three seconds whatever the work costs, and a casework step whose refusal or
problem is shown under a modal's field."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any, TypeVar

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.casework.errors import CaseworkError
from bot.messages import say
from bot.surfaces.slack import blocks
from bot.surfaces.slack.access import NotAllowed
from bot.surfaces.slack.deliveries import claim_delivery

if TYPE_CHECKING:
    from bot.surfaces.slack.services import SlackServices

log = logging.getLogger(__name__)
R = TypeVar("R")
T = TypeVar("T")

#: Seconds a submission's work may take before the modal is acknowledged with a "working"
#: view instead. Slack gives up at 3 s, and the request may already have waited for a
#: listener thread and the answer must still travel back: under a burst on a busy host
#: (16 reports at once, each an Argon2 hash) 2 s of budget left acks at 3.1 s.
ANSWER_BUDGET = 1.2
#: The submissions' work runs here, so a listener thread can ack while it finishes.
_work = ThreadPoolExecutor(max_workers=64, thread_name_prefix="probity-slack-work")

#: What a submission answers Slack: ack()'s keyword arguments ({} closes the modal).
Answer = Mapping[str, Any]


def tell_privately(client: WebClient, body: dict[str, Any], text: str) -> None:
    """Say something only the person who pressed a button sees (their DM outside a channel)."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id")
    user = body["user"]["id"]
    if channel:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    else:
        client.chat_postMessage(channel=user, text=text)


#: What a button's modal is: the view to open, a refusal to say privately, or None (nothing).
Shown = dict[str, Any] | str | None


def open_for(client: WebClient, body: dict[str, Any], known: Callable[[], T | None],
             resolve: Callable[[], T], build: Callable[[T], Shown]) -> None:
    """Open the modal `build(who)` gives for whoever pressed a button, never behind a Web
    API call: the trigger_id expires 3 s after the click.

    `known()` is who they are without asking Slack (the store, or this process's cache);
    then the modal, or the refusal, follows at once. Otherwise a "working" modal is opened
    first and `resolve()` (users.info) runs after it, and the modal is updated with the
    real one, or with the refusal.
    """
    who = known()
    if who is not None:
        shown = build(who)
        if isinstance(shown, str):
            tell_privately(client, body, shown)
        elif shown is not None:
            client.views_open(trigger_id=body["trigger_id"], view=shown)
        return
    title = {"title": {"text": say("slack.app_name")}}
    opened = client.views_open(trigger_id=body["trigger_id"], view=working_view(title))
    try:
        shown = build(resolve())
    except NotAllowed as refused:
        shown = refusal_view(title, refused)
    except Exception:
        log.exception("a Slack button's modal could not be built")
        shown = problem_view(title)
    if isinstance(shown, str) or shown is None:
        text = shown or say("slack.done_text")
        shown = blocks.modal(say("slack.app_name"), blocks.sections(text),
                             callback_id="probity_refused", submit=None, close=say("slack.close"))
    client.views_update(view_id=opened["view"]["id"], view=shown)


def open_for_person(services: SlackServices, client: WebClient, body: dict[str, Any],
                    build: Callable[[int], Shown]) -> None:
    """`open_for` with the presser's Person id: from the store, else added after users.info."""
    user_id = body["user"]["id"]
    open_for(client, body, lambda: services.known_person_id(user_id),
             lambda: services.acting_person_id(client, user_id), build)


def answer_in_time(ack: Ack, client: WebClient, view: Mapping[str, Any],
                   work: Callable[[], Answer], *, budget: float = ANSWER_BUDGET,
                   after: Callable[[], None] | None = None) -> None:
    """Acknowledge a view submission with `work()`'s answer if it comes within `budget`;
    otherwise with a "working..." view at once, and update the modal (views.update on the
    view's id) with the answer when it comes.

    A slow users.info or a busy database used to keep ack() waiting past 3 s: Slack showed
    an error though the work completed, and a reporter never saw their receipt. `after`
    runs once the answer is shown, for follow-on work nobody is waiting for.
    """
    context = contextvars.copy_context()  # notices read the card being acted on from it
    future: Future[Answer] = _work.submit(context.run, work)
    try:
        answer = future.result(timeout=budget)
    except FutureTimeout:
        ack(response_action="update", view=working_view(view))
        future.add_done_callback(lambda done: _show_late(client, view, done, after))
        return
    except NotAllowed as refused:
        ack(response_action="update", view=refusal_view(view, refused))
        return
    except Exception:
        log.exception("a Slack form could not be handled")
        ack(response_action="update", view=problem_view(view))
        return
    ack(**answer)
    if after is not None:
        after()


def working_view(view: Mapping[str, Any]) -> dict[str, Any]:
    return blocks.modal(_title_of(view), blocks.sections(say("slack.working")),
                        callback_id="probity_working", submit=None, close=say("slack.close"))


def refusal_view(view: Mapping[str, Any], refused: NotAllowed) -> dict[str, Any]:
    return blocks.modal(_title_of(view), blocks.sections(refused.text),
                        callback_id="probity_refused", submit=None, close=say("slack.close"))


def problem_view(view: Mapping[str, Any]) -> dict[str, Any]:
    return blocks.modal(_title_of(view), blocks.sections(say("slack.form_fault")),
                        callback_id="probity_fault", submit=None, close=say("slack.close"))


def _title_of(view: Mapping[str, Any]) -> str:
    return str((view.get("title") or {}).get("text") or say("slack.app_name"))


def _show_late(client: WebClient, view: Mapping[str, Any], done: Future[Answer],
               after: Callable[[], None] | None) -> None:
    """The answer of work that outlived the ack, shown by updating the "working" modal."""
    view_id = str(view.get("id") or "")
    try:
        answer = done.result()
    except NotAllowed as refused:
        answer = {"response_action": "update", "view": refusal_view(view, refused)}
    except Exception:
        log.exception("a Slack form could not be handled")
        answer = {"response_action": "update", "view": problem_view(view)}
    if answer.get("response_action") == "update":
        shown = dict(answer["view"])
    elif answer.get("response_action") == "errors":
        shown = form_again(view, answer.get("errors") or {})
    else:  # the work closes the modal: the "working" view becomes a plain "done"
        shown = blocks.modal(_title_of(view), blocks.sections(say("slack.done_text")),
                             callback_id="probity_done", submit=None, close=say("slack.close"))
    try:
        client.views_update(view_id=view_id, view=shown)
    except Exception:
        log.exception("could not update a Slack modal with its late answer")
        return
    if after is not None:
        after()


def form_again(view: Mapping[str, Any], errors: Mapping[str, str]) -> dict[str, Any]:
    """The submitted form again with what was wrong above it. Its input blocks keep their
    block and action ids, so Slack keeps what the person typed in them."""
    problems = [blocks.section(f"*{say('slack.form_problems')}*", escape=False)] + [
        block for text in errors.values() for block in blocks.sections(str(text))]
    kept = {name: view[name] for name in ("type", "title", "submit", "close", "callback_id",
                                          "private_metadata") if view.get(name)}
    return {**kept, "blocks": problems + list(view.get("blocks") or [])}


def casework_step(block: str, step: Callable[[], R], refused: str) -> tuple[R | None, Answer]:
    """Run a casework step for a modal: its result and the answer for Slack.

    On refusal or a problem the modal goes back with the reason under `block` and the
    result is None (the core has already audited a refusal); on success the modal closes.
    """
    try:
        return step(), {}
    except PermissionError:
        return None, {"response_action": "errors", "errors": {block: refused}}
    except CaseworkError as problem:
        return None, {"response_action": "errors", "errors": {block: str(problem)[:300]}}


def run_all(steps: list[Callable[[], object]]) -> None:
    """Follow-on Slack calls after an answer: each tried, a failure logged, the rest still run."""
    for step in steps:
        try:
            step()
        except Exception:
            log.exception("a follow-on Slack call failed")


def tell_later(client: WebClient, body: Mapping[str, Any], user_id: str, text: str) -> None:
    """Say `text` only to the person, off the request thread (a refusal, usually)."""
    event = body.get("event") or {}
    channel = event.get("channel") or (body.get("channel") or {}).get("id")

    def tell() -> None:
        try:
            if channel:
                client.chat_postEphemeral(channel=channel, user=user_id, text=text)
            else:
                client.chat_postMessage(channel=user_id, text=text)
        except Exception:
            log.warning("could not tell a refused Slack user why")

    _work.submit(tell)


def once_in_background(services: SlackServices, body: Mapping[str, Any], client: WebClient,
                       work: Callable[[], object]) -> None:
    """Run an event's work in the events pool, once per event_id, and return at once.

    Slack's events need only a 200; their work (users.info, the assistant, the replies)
    runs here so Bolt's listener threads stay free to acknowledge presses and forms, and
    the delivery is claimed here too, so no database write stands before the 200. A
    retried delivery (X-Slack-Retry-Num) finds the id claimed and does nothing.
    """
    event_id = body.get("event_id")

    def run() -> None:
        if event_id and not claim_delivery(services.store, f"slack:event:{event_id}"):
            log.info("ignoring a repeated delivery of Slack event %s", event_id)
            return
        try:
            work()
        except NotAllowed as refused:
            user_id = (body.get("event") or {}).get("user")
            if user_id:
                tell_later(client, body, user_id, refused.text)
        except Exception:
            log.exception("a Slack event could not be handled")

    services.events.submit(run)
