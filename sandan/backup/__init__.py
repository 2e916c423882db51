"""`sandan db backup` and `sandan db restore`: one file holds the whole database.

SQLite goes through its online backup API (sandan.backup.sqlite), PostgreSQL through
pg_dump and pg_restore (sandan.backup.postgres). A file is restored only into the kind of
database it came from, only if it holds a Sandan schema of a revision this Sandan knows,
and only while nothing else uses the database. Nothing here logs: paths and revisions go
to the person at the command line, and no password reaches a command line.
"""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from sandan.migrate import known_revisions

SQLITE, POSTGRESQL = "sqlite", "postgresql"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"  # pg_dump's custom format (-Fc)
KIND_NAMES = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}


class BackupError(Exception):
    """A backup or restore refused or failed; `key` names the message, `params` fill it in."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = {name: str(value) for name, value in params.items()}


@dataclass(frozen=True)
class Target:
    """The configured database: its backend, and how to name it to a person (no password)."""

    url: str
    backend: str
    shown: str

    @classmethod
    def of(cls, url: str) -> "Target":
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        if backend == SQLITE:
            return cls(url, backend, str(Path(parsed.database).resolve()))
        host = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
        return cls(url, backend, f"{parsed.database} @ {host}")

    @property
    def path(self) -> Path:
        """The SQLite file."""
        return Path(make_url(self.url).database).resolve()


def _module(backend: str):
    if backend == SQLITE:
        from sandan.backup import sqlite

        return sqlite
    from sandan.backup import postgres

    return postgres


def kind_of(file: Path) -> str | None:
    """Which database a backup file came from, by its first bytes; None if neither."""
    try:
        with file.open("rb") as fp:
            head = fp.read(len(SQLITE_MAGIC))
    except OSError:
        raise BackupError("db.no_file", path=file) from None
    if head.startswith(SQLITE_MAGIC):
        return SQLITE
    return POSTGRESQL if head.startswith(PG_DUMP_MAGIC) else None


def revision_of(target: Target, file: Path) -> frozenset[str]:
    """The schema revision a backup holds, once it proved a restorable Sandan backup for `target`."""
    kind = kind_of(file)
    if kind is None:
        raise BackupError("db.not_a_backup", path=file)
    if kind != target.backend:
        raise BackupError(
            "db.wrong_backend", path=file, kind=KIND_NAMES[kind], backend=KIND_NAMES[target.backend]
        )
    revisions = _module(kind).stored_revisions(file)
    if not revisions:
        raise BackupError("db.no_schema", path=file)
    unknown = sorted(set(revisions) - known_revisions())
    if unknown:
        raise BackupError("db.unknown_revision", path=file, revision=", ".join(unknown))
    return revisions


def backup(target: Target, file: Path, *, replace: bool = False) -> frozenset[str]:
    """Write the whole database to `file`; returns the revision it holds.

    The file appears only once complete (written next to it, then renamed).
    """
    if target.backend == SQLITE and file.resolve() == target.path:
        raise BackupError("db.backup_is_database", path=file)
    if file.exists() and not replace:
        raise BackupError("db.backup_exists", path=file)
    if not file.parent.is_dir():
        raise BackupError("db.no_folder", folder=file.parent)
    partial = file.with_name(file.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _module(target.backend).backup(target, partial)
        revision = revision_of(target, partial)
        partial.replace(file)
    finally:
        partial.unlink(missing_ok=True)
    return revision


def restore(target: Target, file: Path) -> None:
    """Replace the database's whole content with the backup's; refused while it is in use.

    Check the file first with `revision_of`.
    """
    if target.backend == SQLITE and file.resolve() == target.path:
        raise BackupError("db.backup_is_database", path=file)
    _module(target.backend).restore(target, file)
