"""Measuring Probity as people use it: scripted conversations driven through the assistant."""
