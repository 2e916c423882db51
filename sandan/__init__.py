"""Sandan: the composition root (settings, bootstrap, CLI, migrations)."""
