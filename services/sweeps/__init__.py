"""The scheduler's follow-up sweeps: find what has waited too long, act, record it."""
