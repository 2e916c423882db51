"""Apply Alembic migrations through the application's own engine.

Every start (`sandan run`, every CLI command) upgrades, and almost always the schema is at
head already. Alembic, with the Mako and Pygments it pulls in, costs a running bot about
8 MB of RSS for the rest of its life (bench/rss.py), so `upgrade` first compares the
database's version with the revision files' own head, read as text, and imports Alembic
only when they differ or when it cannot tell.
"""

import ast
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from sqlalchemy import inspect, text

from services.db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default; env.py does not rename it
# What alembic.ini runs on a new revision file too: unused imports out, then formatted.
RUFF_HOOKS = (("ruff_fix", "check --fix --exit-zero --quiet"), ("ruff_format", "format --quiet"))


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


def _plain_revisions() -> list[tuple[str, tuple[str, ...]]] | None:
    revisions = [_revision_of(p) for p in sorted((MIGRATIONS / "versions").glob("*.py"))]
    return None if not revisions or None in revisions else revisions


@lru_cache(maxsize=1)
def script_heads() -> frozenset[str] | None:
    """The head revisions of the files in migrations/versions, or None if they are not plain."""
    revisions = _plain_revisions()
    if revisions is None:
        return None
    downs = {d for _, ds in revisions for d in ds}
    return frozenset(r for r, _ in revisions if r not in downs)


@lru_cache(maxsize=1)
def script_revisions() -> frozenset[str] | None:
    """Every revision the files in migrations/versions define, or None if they are not plain."""
    revisions = _plain_revisions()
    return None if revisions is None else frozenset(r for r, _ in revisions)


def _scripts():
    from alembic.script import ScriptDirectory  # lazily: see the module's docstring

    return ScriptDirectory.from_config(_config(None))


def heads() -> frozenset[str]:
    """The revision files' heads: read as text where the files are plain, else by Alembic."""
    found = script_heads()
    return frozenset(_scripts().get_heads()) if found is None else found


def known_revisions() -> frozenset[str]:
    """Every revision the files define: read as text where they are plain, else by Alembic."""
    found = script_revisions()
    return frozenset(s.revision for s in _scripts().walk_revisions()) if found is None else found


def next_revision_id() -> str | None:
    """The number after a single numbered head ("0004" -> "0005"); None leaves it to Alembic."""
    found = script_heads()
    if not found or len(found) != 1 or not (head := next(iter(found))).isdigit():
        return None
    return str(int(head) + 1).zfill(len(head))


def stored_revisions(connection) -> frozenset[str]:
    """The revisions the database says it stands at; none if Alembic never migrated it."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return frozenset()
    return frozenset(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


def at_head(connection) -> bool:
    """Whether the database stands at the revision files' heads, so an upgrade has nothing to do."""
    heads = script_heads()
    return heads is not None and stored_revisions(connection) == heads


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the database schema up to `revision`."""
    with db.engine.begin() as conn:
        if revision == "head" and at_head(conn):
            return
        from alembic import command  # lazily: see the module's docstring

        command.upgrade(_config(conn), revision)


def _skip_if_empty(_context, _revision, directives) -> None:
    if directives[0].upgrade_ops.is_empty():
        directives[:] = []  # Alembic writes no file


def _lint_new_scripts(cfg) -> None:
    """Format and fix new revision files with ruff, as alembic.ini does, where ruff is installed."""
    if find_spec("ruff") is None:
        return
    cfg.set_section_option("post_write_hooks", "hooks", ", ".join(hook for hook, _ in RUFF_HOOKS))
    for hook, options in RUFF_HOOKS:
        cfg.set_section_option("post_write_hooks", f"{hook}.type", "module")
        cfg.set_section_option("post_write_hooks", f"{hook}.module", "ruff")
        cfg.set_section_option("post_write_hooks", f"{hook}.options", f"{options} REVISION_SCRIPT_FILENAME")


def autogenerate(db: Database, message: str, *, empty: bool = False) -> Path | None:
    """Write a new revision from the difference between the models and the schema at head.

    Returns the file written, or None when they agree and `empty` was not asked for. The
    revision is numbered after the head (0005 after 0004) where the head is a number.
    """
    from alembic import command

    with db.engine.begin() as conn:
        cfg = _config(conn)
        _lint_new_scripts(cfg)
        script = command.revision(
            cfg,
            message,
            autogenerate=not empty,
            rev_id=next_revision_id(),
            process_revision_directives=None if empty else _skip_if_empty,
        )
    script_heads.cache_clear()  # a new file: a new head
    script_revisions.cache_clear()
    return Path(script.path) if script else None


def downgrade(db: Database, revision: str) -> None:
    """Take the database schema back to `revision`."""
    from alembic import command

    with db.engine.begin() as conn:
        command.downgrade(_config(conn), revision)
