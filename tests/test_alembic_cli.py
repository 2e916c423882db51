"""The `alembic` command itself, and `sandan db revision` and `sandan db downgrade`, on a real database."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, String, Table, inspect
from sqlmodel import SQLModel
from typer.testing import CliRunner

from bot.i18n import DEFAULT, t
from sandan import migrate
from sandan.cli import app

ROOT = Path(__file__).resolve().parent.parent
ALEMBIC = Path(sys.executable).with_name("alembic")  # the script `uv run alembic` runs
PROBE = "probe_gadget"


def _head() -> str:
    (head,) = migrate.heads()
    return head


def _alembic(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [str(ALEMBIC), "-c", str(ROOT / "alembic.ini"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _stored(db) -> frozenset[str]:
    with db.engine.connect() as conn:
        return migrate.stored_revisions(conn)


def _tables(db) -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_the_alembic_command_reads_database_url_and_finds_the_database_at_head(db):
    done = _alembic(db.url, "current")
    assert done.returncode == 0, done.stderr
    assert f"{_head()} (head)" in done.stdout


def test_the_alembic_command_finds_no_difference_between_models_and_migrations(db):
    done = _alembic(db.url, "check")
    assert done.returncode == 0, done.stderr
    assert "No new upgrade operations detected" in done.stdout


def test_the_alembic_command_migrates_a_new_sqlite_file_to_head(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert _alembic(url, "upgrade", "head").returncode == 0
    assert f"{_head()} (head)" in _alembic(url, "current").stdout


def test_the_alembic_command_prints_the_postgresql_sql_without_connecting():
    done = _alembic("postgresql://nobody:pw@host.invalid/none", "upgrade", "head", "--sql")
    assert done.returncode == 0, done.stderr
    assert "CREATE TABLE inbox" in done.stdout
    assert f"UPDATE alembic_version SET version_num='{_head()}'" in done.stdout


@pytest.fixture
def versions(tmp_path, monkeypatch):
    """A copy of the migrations that `sandan db revision` may write into; the real ones stay as they are."""
    copy = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "MIGRATIONS", copy)
    for cached in (migrate.script_heads, migrate.script_revisions):
        cached.cache_clear()
    yield copy / "versions"
    for cached in (migrate.script_heads, migrate.script_revisions):
        cached.cache_clear()


@pytest.fixture
def probe_model():
    """A table the models have and the migrations do not."""
    table = Table(
        PROBE, SQLModel.metadata, Column("id", Integer, primary_key=True), Column("name", String(20))
    )
    yield table
    SQLModel.metadata.remove(table)


def _cli(db, monkeypatch, *args: str, answer: str | None = None):
    monkeypatch.setenv("DATABASE_URL", db.url)
    return CliRunner().invoke(app, ["db", *args], input=answer)


def test_a_revision_is_written_for_a_new_model_numbered_after_the_head_and_migrates(
    db, versions, probe_model, monkeypatch
):
    head = _head()
    number = str(int(head) + 1).zfill(len(head))
    result = _cli(db, monkeypatch, "revision", "-m", "add probe gadget")
    assert result.exit_code == 0, result.output
    written = versions / f"{number}_add_probe_gadget.py"
    assert str(written) in result.output
    script = written.read_text(encoding="utf-8")
    assert f"revision = {number!r}" in script.replace('"', "'")
    assert f"down_revision = {head!r}" in script.replace('"', "'")
    assert f'op.create_table(\n        "{PROBE}"' in script
    assert "import sqlmodel" not in script  # ruff took out the imports it does not use

    migrate.upgrade(db)
    assert PROBE in _tables(db) and _stored(db) == {number}
    migrate.downgrade(db, head)
    assert PROBE not in _tables(db) and _stored(db) == {head}


def test_no_revision_is_written_when_the_models_and_the_database_agree(db, versions, monkeypatch):
    before = sorted(versions.iterdir())
    result = _cli(db, monkeypatch, "revision", "-m", "nothing")
    assert result.exit_code == 1
    assert t(DEFAULT, "db.revision_empty") in result.output
    assert sorted(versions.iterdir()) == before


def test_an_empty_revision_is_written_when_asked_for(db, versions, monkeypatch):
    result = _cli(db, monkeypatch, "revision", "-m", "fill by hand", "--empty")
    assert result.exit_code == 0, result.output
    (written,) = versions.glob("*_fill_by_hand.py")
    assert "def upgrade() -> None:\n    pass" in written.read_text(encoding="utf-8")


def test_a_revision_is_refused_while_the_database_is_behind_the_head(db, versions, probe_model, monkeypatch):
    migrate.downgrade(db, "0003")
    before = sorted(versions.iterdir())
    result = _cli(db, monkeypatch, "revision", "-m", "add probe gadget")
    assert result.exit_code == 1
    assert t(DEFAULT, "db.not_at_head", current="0003", head=_head()) in result.output
    assert sorted(versions.iterdir()) == before


def test_a_downgrade_goes_ahead_only_once_confirmed(db, monkeypatch):
    declined = _cli(db, monkeypatch, "downgrade", "0003", answer="n\n")
    assert declined.exit_code == 1 and t(DEFAULT, "db.cancelled") in declined.output
    assert _stored(db) == {_head()}

    confirmed = _cli(db, monkeypatch, "downgrade", "0003", answer="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert _stored(db) == {"0003"} and "inbox" not in _tables(db)

    skipped = _cli(db, monkeypatch, "downgrade", "base", "--yes")
    assert skipped.exit_code == 0, skipped.output
    assert _tables(db) <= {migrate.VERSION_TABLE}


def test_a_downgrade_to_an_unknown_revision_says_so_and_changes_nothing(db, monkeypatch):
    result = _cli(db, monkeypatch, "downgrade", "0999", "--yes")
    assert result.exit_code == 1
    assert t(DEFAULT, "db.alembic_error", error="").strip() in result.output and "0999" in result.output
    assert _stored(db) == {_head()}


def test_db_upgrade_brings_a_database_to_head_and_says_at_which_revision(db, monkeypatch):
    migrate.downgrade(db, "0002")
    result = _cli(db, monkeypatch, "upgrade")
    assert result.exit_code == 0, result.output
    assert t(DEFAULT, "db.upgraded", revision=_head()) in result.output
    assert _stored(db) == {_head()}
