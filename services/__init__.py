"""Use cases. Imports no bot framework."""
