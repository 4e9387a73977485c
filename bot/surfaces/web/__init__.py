"""The web surface: one ASGI app for the console, the anonymous report form and Slack."""
