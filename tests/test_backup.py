"""`sandan db backup` and `sandan db restore`: a backup taken while the bot writes restores to its data."""

import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlmodel import SQLModel
from typer.testing import CliRunner

from bot.i18n import DEFAULT, t
from models import Branch, ConversationState, Wish
from sandan import backup as backups
from sandan.cli import app
from sandan.migrate import VERSION_TABLE, heads
from services.db import Database
from tests.test_migrations import _fill_every_table

LATER_TABLE = "later_table"  # as if a later revision had added it after the backup


@pytest.fixture
def sqlite_db(sqlite_template, tmp_path):
    """A migrated SQLite database, for what only SQLite shows."""
    path = tmp_path / "sandan.db"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


def _target(db) -> backups.Target:
    return backups.Target.of(db.url)


def _needs_tools(db) -> None:
    if not db.is_sqlite and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed here")


def _contents(db) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, with the schema revision."""
    with db.read() as s:
        found = {
            table.name: [tuple(r) for r in s.execute(select(table).order_by(*table.primary_key.columns))]
            for table in SQLModel.metadata.sorted_tables
        }
        found[VERSION_TABLE] = sorted(s.scalars(text(f"SELECT version_num FROM {VERSION_TABLE}")))
    return found


def _error(call) -> backups.BackupError:
    with pytest.raises(backups.BackupError) as caught:
        call()
    return caught.value


def _change_everything(db) -> None:
    with db.write() as s:
        s.execute(update(Wish).values(text="改过了"))
        s.execute(ConversationState.__table__.delete())
        s.execute(
            text(
                f'CREATE TABLE {LATER_TABLE} (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES "user"(id))'
            )
        )
        s.execute(text(f'INSERT INTO {LATER_TABLE} (id, user_id) SELECT 1, min(id) FROM "user"'))


def test_a_backup_taken_during_a_write_restores_to_exactly_what_was_committed(db, tmp_path):
    _needs_tools(db)
    _fill_every_table(db)
    committed = _contents(db)
    file = tmp_path / "sandan.backup"
    writer = Database(db.url)
    try:
        with writer.write() as s:  # another connection's write transaction, open during the backup
            s.execute(update(Branch).values(name="写了一半"))
            s.flush()
            revision = backups.backup(_target(db), file)
        assert _contents(db) != committed  # the write did commit, after the backup began
    finally:
        writer.dispose()
    assert revision == heads()
    _change_everything(db)

    db.dispose()  # the restore wants the database to itself
    backups.restore(_target(db), file)
    assert _contents(db) == committed
    with db.engine.connect() as conn:
        assert LATER_TABLE not in conn.dialect.get_table_names(conn)
    with db.write() as s:  # ids go on after the restored rows (PostgreSQL's sequences came back too)
        s.add(Branch(code="ZZ", name="新社区"))
    assert len(_contents(db)["branch"]) == len(committed["branch"]) + 1


def test_a_restore_is_refused_while_another_connection_has_the_database_open(db, tmp_path):
    _needs_tools(db)
    file = tmp_path / "sandan.backup"
    backups.backup(_target(db), file)
    with db.write() as s:
        s.add(Branch(code="K", name="留着"))
    # The fixture's engine keeps its connection in its pool, as a running bot's does.
    assert _error(lambda: backups.restore(_target(db), file)).key == "db.in_use"
    with db.read() as s:
        assert s.scalar(select(Branch.name).where(Branch.code == "K")) == "留着"


def _sqlite_file(path: Path, *statements: str) -> Path:
    with sqlite3.connect(path) as conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()
    return path


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda p: p.write_bytes(b"id,name\n1,x\n") and p, "db.not_a_backup"),
        (lambda p: p.write_bytes(backups.PG_DUMP_MAGIC + b"\x01\x0e") and p, "db.wrong_backend"),
        (lambda p: p.write_bytes(backups.SQLITE_MAGIC + b"\xff" * 200) and p, "db.damaged"),
        (lambda p: _sqlite_file(p, "CREATE TABLE notes (x)"), "db.no_schema"),
        (
            lambda p: _sqlite_file(
                p,
                f"CREATE TABLE {VERSION_TABLE} (version_num TEXT)",
                f"INSERT INTO {VERSION_TABLE} VALUES ('9999')",
            ),
            "db.unknown_revision",
        ),
    ],
    ids=["text", "pg_dump_archive", "garbage", "no_alembic_version", "newer_revision"],
)
def test_a_file_that_is_not_a_restorable_sandan_sqlite_backup_is_refused(tmp_path, make, key):
    target = backups.Target.of(f"sqlite:///{tmp_path / 'sandan.db'}")
    assert _error(lambda: backups.revision_of(target, make(tmp_path / "file"))).key == key


def test_a_sqlite_backup_is_refused_for_a_postgresql_database(sqlite_db, tmp_path):
    db = sqlite_db
    file = tmp_path / "sandan.backup"
    backups.backup(_target(db), file)
    target = backups.Target.of("postgresql://sandan@db.invalid/sandan")
    error = _error(lambda: backups.revision_of(target, file))
    assert error.key == "db.wrong_backend" and error.params["backend"] == "PostgreSQL"


def test_a_backup_replaces_no_existing_file_nor_the_database_and_needs_its_folder(sqlite_db, tmp_path):
    db = sqlite_db
    file = tmp_path / "old.backup"
    file.write_text("an older backup")
    assert _error(lambda: backups.backup(_target(db), file)).key == "db.backup_exists"
    assert file.read_text() == "an older backup"
    assert (
        _error(lambda: backups.backup(_target(db), _target(db).path, replace=True)).key
        == "db.backup_is_database"
    )
    assert _error(lambda: backups.backup(_target(db), tmp_path / "nowhere" / "x.db")).key == "db.no_folder"
    assert backups.backup(_target(db), file, replace=True) == heads()
    assert not file.with_name(file.name + ".partial").exists()


def _cli(url: str, monkeypatch, *args: str, answer: str | None = None):
    monkeypatch.setenv("DATABASE_URL", url)
    return CliRunner().invoke(app, ["db", *args], input=answer)


def test_the_cli_restores_only_once_confirmed(sqlite_db, tmp_path, monkeypatch):
    db = sqlite_db
    file = tmp_path / "sandan.backup"
    assert _cli(db.url, monkeypatch, "backup", str(file)).exit_code == 0
    with db.write() as s:
        s.add(Branch(code="N", name="备份之后"))
    db.dispose()

    declined = _cli(db.url, monkeypatch, "restore", str(file), answer="n\n")
    assert declined.exit_code == 1 and t(DEFAULT, "db.cancelled") in declined.output
    with db.read() as s:
        assert s.scalar(select(Branch.id).where(Branch.code == "N")) is not None
    db.dispose()

    done = _cli(db.url, monkeypatch, "restore", str(file), answer="y\n")
    assert done.exit_code == 0, done.output
    (head,) = heads()
    assert t(DEFAULT, "db.restored", target=_target(db).shown, path=file, revision=head) in done.output
    with db.read() as s:
        assert s.scalar(select(Branch.id).where(Branch.code == "N")) is None


def test_without_pg_dump_the_cli_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no PostgreSQL client tools there
    result = _cli("postgresql://sandan@db.invalid/sandan", monkeypatch, "backup", str(tmp_path / "x.dump"))
    assert result.exit_code == 1
    assert t(DEFAULT, "db.tool_missing", tool="pg_dump") in result.output
    assert "postgresql-client" in result.output


def test_the_postgresql_password_reaches_pg_dump_in_its_environment_not_its_command_line(
    tmp_path, monkeypatch
):
    seen = tmp_path / "seen"
    fake = tmp_path / "pg_dump"
    fake.write_text(
        f'#!/bin/sh\necho "$@" > {seen}\necho "$PGPASSWORD" >> {seen}\necho "could not connect" >&2\nexit 1\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))
    target = backups.Target.of("postgresql+psycopg://sandan:s3cr%40t@db.example:6543/sandan?sslmode=require")
    error = _error(lambda: backups.backup(target, tmp_path / "x.dump"))
    assert error.key == "db.tool_failed" and error.params["error"] == "could not connect"
    command_line, password = seen.read_text().splitlines()
    assert "s3cr" not in command_line and password == "s3cr@t"
    assert "--dbname=postgresql://sandan@db.example:6543/sandan?sslmode=require" in command_line
    assert target.shown == "sandan @ db.example:6543"
