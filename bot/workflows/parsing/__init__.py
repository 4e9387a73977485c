"""Internals of the forgiving field parsers; import the public API from bot.workflows.fields."""
