"""Policy acknowledgement campaigns and annual declaration returns.

PSD starts a campaign for a policy (or a new version of it, or several) and an audience;
each person is told what changed, reads it and says they have read and understood it; the
job runner fans the messages out, reminds, and escalates to line managers after the due
date (bot.jobs.builtin registers the kinds); the acknowledgement rows are the evidence.
"""
