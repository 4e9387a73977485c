"""Telling the integrity channel about new reports, once their random delay has passed.

The notice names only the reference and the acknowledgement date: content is read in a
modal by authorised handlers, and the delay keeps the time of posting from pointing at
whoever was online when the report was made.
"""

from __future__ import annotations

import logging
import threading

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.reporting.deadlines import acknowledge_due
from bot.surfaces.slack.blocks import actions, button, section
from bot.surfaces.slack.services import SlackServices

log = logging.getLogger(__name__)

READ_REPORT = "probity_case_open"
CHECK_EVERY_SECONDS = 60


def announce_due_reports(services: SlackServices, client: WebClient) -> int:
    """Post a notice for each report now due to be announced; returns how many were posted."""
    channel = services.settings.integrity_channel
    if not channel:
        return 0
    posted = 0
    for notice in services.reports.due_notices():
        due = acknowledge_due(notice.received_on)
        text = (f"New report {notice.reference} received, due for acknowledgement by "
                f"{due:%-d %B %Y}.")
        try:
            client.chat_postMessage(channel=channel, text=text, blocks=[
                section(text),
                *actions([button("Read report", READ_REPORT, notice.reference, "primary")],
                         block_id="case"),
            ])
        except SlackApiError as error:
            # Not marked as notified, so the next round tries again.
            log.warning("could not post a report notice: %s", error.response.get("error"))
            continue
        services.reports.mark_notified(notice.reference)
        posted += 1
    return posted


def start_notice_loop(services: SlackServices, client: WebClient,
                      every: float = CHECK_EVERY_SECONDS) -> threading.Event:
    """Check for due notices in a background thread; set the returned event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                announce_due_reports(services, client)
            except Exception:  # keep the loop alive; the next round retries
                log.exception("announcing due reports failed")

    threading.Thread(target=loop, daemon=True, name="probity-report-notices").start()
    return stop
