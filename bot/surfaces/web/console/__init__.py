"""The integrity unit's web console: queues, case pages, registers, publishing, a dashboard."""
