"""The integrity unit's side of Probity: decisions, appeals, follow-up, registers, checks."""
