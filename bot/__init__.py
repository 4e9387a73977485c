"""Probity: a staff integrity assistant for Slack."""

__version__ = "0.1.0"
