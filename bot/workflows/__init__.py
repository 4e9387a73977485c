"""Guided declaration workflows: definitions, field parsing, dialogue engine and filing."""
