"""Apply Alembic migrations through the application's own engine.

Every start (`sandan run`, every CLI command) upgrades, and almost always the schema is at
head already. Alembic, with the Mako and Pygments it pulls in, costs a running bot about
8 MB of RSS for the rest of its life (bench/rss.py), so `upgrade` first compares the
database's version with the revision files' own head, read as text, and imports Alembic
only when they differ or when it cannot tell.
"""

import ast
from functools import lru_cache
from pathlib import Path

from sqlalchemy import inspect, text

from services.db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default; env.py does not rename it


def _config(connection):
    from alembic.config import Config  # lazily: see the module's docstring

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _revision_of(path: Path) -> tuple[str, tuple[str, ...]] | None:
    """(revision, down revisions) as the file assigns them, or None for anything unusual."""
    found = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
        target = node.target if isinstance(node, ast.AnnAssign) and node.value else target
        if isinstance(target, ast.Name):
            try:
                found[target.id] = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError):
                found[target.id] = ...  # computed: not ours to judge
    revision, down = found.get("revision"), found.get("down_revision")
    # Branch labels and cross-branch dependencies change what "head" means: left to Alembic.
    if not isinstance(revision, str) or found.get("branch_labels") or found.get("depends_on"):
        return None
    if down is None or isinstance(down, str):
        return revision, () if down is None else (down,)
    if isinstance(down, tuple | list) and all(isinstance(d, str) for d in down):
        return revision, tuple(down)  # a merge revision
    return None


@lru_cache(maxsize=1)
def script_heads() -> frozenset[str] | None:
    """The head revisions of the files in migrations/versions, or None if they are not plain."""
    revisions = [_revision_of(p) for p in sorted((MIGRATIONS / "versions").glob("*.py"))]
    if not revisions or None in revisions:
        return None
    downs = {d for _, ds in revisions for d in ds}
    return frozenset(r for r, _ in revisions if r not in downs)


def at_head(connection) -> bool:
    """Whether the database stands at the revision files' heads, so an upgrade has nothing to do."""
    heads = script_heads()
    if heads is None or not inspect(connection).has_table(VERSION_TABLE):
        return False
    stored = set(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
    return stored == heads


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the database schema up to `revision`."""
    with db.engine.begin() as conn:
        if revision == "head" and at_head(conn):
            return
        from alembic import command  # lazily: see the module's docstring

        command.upgrade(_config(conn), revision)


def autogenerate(db: Database, message: str) -> None:
    """Write a new revision from the difference between models and schema."""
    from alembic import command

    with db.engine.begin() as conn:
        command.revision(_config(conn), message, autogenerate=True)


def downgrade(db: Database, revision: str) -> None:
    """Take the database schema back to `revision`."""
    from alembic import command

    with db.engine.begin() as conn:
        command.downgrade(_config(conn), revision)
