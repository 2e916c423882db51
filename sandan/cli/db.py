"""`sandan db`: the schema (upgrade, revision, downgrade) and backups (backup, restore).

These commands do not upgrade first, as the others do: each decides for itself what the
schema must be. Messages come from the catalogue (db.*), in the default language.
"""

from pathlib import Path
from typing import Annotated

import typer

from bot.i18n import DEFAULT, t
from sandan import backup as backups
from sandan import migrate
from sandan.settings import ConfigError, load_settings
from services.db import Database

db_app = typer.Typer(help="Database: schema, migrations, backups.", no_args_is_help=True)
YES = typer.Option("--yes", "-y", help="Do not ask for confirmation.")


def _say(key: str, *, err: bool = False, **params: object) -> None:
    typer.echo(t(DEFAULT, key, **params), err=err)


def _fail(key: str, status: int = 1, **params: object) -> typer.Exit:
    _say(key, err=True, **params)
    return typer.Exit(status)


def _url() -> str:
    try:
        return load_settings().database_url
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def _database() -> Database:
    return Database(_url())


def _shown(revisions: frozenset[str]) -> str:
    return ", ".join(sorted(revisions)) or t(DEFAULT, "db.no_revision")


def _stored(db: Database) -> str:
    with db.engine.connect() as conn:
        return _shown(migrate.stored_revisions(conn))


def _confirm(key: str, yes: bool, **params: object) -> None:
    if not yes and not typer.confirm(t(DEFAULT, key, **params)):
        raise _fail("db.cancelled")


def _alembic(work):
    from alembic.util import CommandError

    try:
        return work()
    except CommandError as exc:
        raise _fail("db.alembic_error", error=exc) from None


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration (the bot also does this on start)."""
    db = _database()
    try:
        migrate.upgrade(db)
        _say("db.upgraded", revision=_stored(db))
    finally:
        db.dispose()


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Option("--message", "-m", help="What the revision does.")],
    empty: Annotated[bool, typer.Option("--empty", help="Write an empty revision to fill in.")] = False,
) -> None:
    """Write a new migration from the models' difference with the database (which must be at head)."""
    db = _database()
    try:
        with db.engine.connect() as conn:
            current = migrate.stored_revisions(conn)
        head = migrate.heads()
        if current != head:
            raise _fail("db.not_at_head", current=_shown(current), head=_shown(head))
        path = _alembic(lambda: migrate.autogenerate(db, message, empty=empty))
    finally:
        db.dispose()
    if path is None:
        raise _fail("db.revision_empty")
    _say("db.revision_written", path=path)


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="The revision to go down to, e.g. 0003, or base.")],
    yes: Annotated[bool, YES] = False,
) -> None:
    """Take the schema down to REVISION, dropping what the later revisions added."""
    db = _database()
    try:
        target = backups.Target.of(db.url).shown
        _confirm("db.downgrade_confirm", yes, target=target, current=_stored(db), revision=revision)
        _alembic(lambda: migrate.downgrade(db, revision))
        _say("db.downgraded", revision=_stored(db))
    finally:
        db.dispose()


@db_app.command("backup")
def db_backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write.", dir_okay=False)],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Copy the whole database into FILE, safely while the bot runs."""
    target = backups.Target.of(_url())
    try:
        revision = backups.backup(target, file, replace=force)
    except backups.BackupError as exc:
        raise _fail(exc.key, **exc.params) from None
    _say("db.backed_up", target=target.shown, path=file, revision=_shown(revision))


@db_app.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(help="A file `sandan db backup` wrote.", dir_okay=False)],
    yes: Annotated[bool, YES] = False,
) -> None:
    """Replace the database with the backup in FILE (stop the bot first)."""
    target = backups.Target.of(_url())
    try:
        revision = backups.revision_of(target, file)
        _confirm("db.restore_confirm", yes, target=target.shown, path=file, revision=_shown(revision))
        backups.restore(target, file)
    except backups.BackupError as exc:
        raise _fail(exc.key, **exc.params) from None
    _say("db.restored", target=target.shown, path=file, revision=_shown(revision))
    if revision != migrate.heads():  # older: revisions unknown to this Sandan were refused
        _say("db.restored_behind", head=_shown(migrate.heads()))
