"""Probity in Slack: Bolt listeners that turn Slack events into Turns and Replies into Block Kit."""
