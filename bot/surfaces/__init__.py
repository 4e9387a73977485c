"""Where people meet Probity: Slack and the terminal, both speaking Turn and Reply to the core."""
