"""The reporting vault's own database: its models, where it lives, and its schema.

It sits with the main store because `Store` opens both; what is done with reports (the
spool, the daily batch, key checks) lives in bot.reporting.vault.
"""
