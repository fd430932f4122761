"""Job runs: each scheduled run keyed by (job, time slot), so a slot's effects happen once."""
