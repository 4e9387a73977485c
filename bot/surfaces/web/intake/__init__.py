"""The anonymous report form on the web: /report and /report/follow-up, no account needed."""
