"""`upgrade` leaves Alembic unimported when the schema is at head, and only then (sandan.migrate)."""

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from sandan.migrate import _config, _revision_of, at_head, downgrade, script_heads, upgrade

ROOT = Path(__file__).resolve().parent.parent


def _at_head(db) -> bool:
    with db.engine.connect() as conn:
        return at_head(conn)


def test_the_heads_read_from_the_files_are_alembics():
    assert script_heads() == frozenset(ScriptDirectory.from_config(_config(None)).get_heads())


def test_a_database_is_at_head_only_when_its_stored_revision_is_the_files_head(db):
    assert _at_head(db)
    downgrade(db, "0003")
    assert not _at_head(db)
    upgrade(db)
    assert _at_head(db)
    downgrade(db, "base")
    assert not _at_head(db)


def test_a_database_alembic_never_saw_is_not_at_head(tmp_path):
    from services.db import Database

    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert not _at_head(db)
        upgrade(db)
        assert _at_head(db)
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('revision = "0002"\ndown_revision = "0001"\n', ("0002", ("0001",))),
        ('revision: str = "0001"\ndown_revision = None\n', ("0001", ())),
        ('revision = "0003"\ndown_revision = ("0001", "0002")\n', ("0003", ("0001", "0002"))),
        ('revision = "0002"\ndown_revision = "0001"\nbranch_labels = ("x",)\n', None),
        ('revision = "0002"\ndown_revision = "0001"\ndepends_on = "abc"\n', None),
        ('revision = make_id()\ndown_revision = "0001"\n', None),
        ('down_revision = "0001"\n', None),
    ],
)
def test_only_plain_revision_files_are_read_without_alembic(tmp_path, source, expected):
    path = tmp_path / "rev.py"
    path.write_text(source, encoding="utf-8")
    assert _revision_of(path) == expected


def _alembic_loaded_by_upgrade(url: str) -> bool:
    code = (
        "import sys\nfrom services.db import Database\nfrom sandan.migrate import upgrade\n"
        f"db = Database({url!r}); upgrade(db); db.dispose()\nprint('alembic' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return out.stdout.split()[-1] == "True"


def test_an_upgrade_at_head_does_not_import_alembic_and_one_with_work_does(db):
    # Every start upgrades; at head, Alembic (and Mako, Pygments) would only cost memory.
    assert not _alembic_loaded_by_upgrade(db.url)
    downgrade(db, "0003")
    assert _alembic_loaded_by_upgrade(db.url)
    assert _at_head(db)
