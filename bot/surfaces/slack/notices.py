"""How the integrity channel's new-report notices are read: the button's action id.

The notices themselves are `slack.post` jobs enqueued by the `announce-reports` schedule
(bot.jobs.builtin) once a report's random delay has passed. They name only the reference
and the acknowledgement date: content is read in a modal by authorised handlers, and the
delay keeps the time of posting from pointing at whoever was online when it was made.
"""

from __future__ import annotations

READ_REPORT = "probity_case_open"
