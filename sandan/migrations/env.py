"""Alembic environment.

Sandan (sandan.migrate) hands in an open connection through `config.attributes`. The `alembic`
command itself (alembic.ini at the repository root) hands in none: then the database is
DATABASE_URL, from the environment or `.env`, as for `sandan run`, on the same drivers and
SQLite settings (services.db.Database).
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on the metadata)

SQLITE = "sqlite"


def _options(backend: str) -> dict:
    return {
        "target_metadata": SQLModel.metadata,
        # SQLite alters a table by copying it (Alembic's batch mode); the revisions that alter a
        # table other tables refer to ask for `recreate="never"` (docs/architecture.md, Storage).
        "render_as_batch": backend == SQLITE,
        "compare_type": True,
    }


def _migrate(connection) -> None:
    context.configure(connection=connection, **_options(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


def _configured_url() -> str:
    from sandan.settings import load_settings
    from services.db import sync_url

    return sync_url(load_settings().database_url)


def _migrate_configured() -> None:
    from services.db import Database

    config = context.config
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    url = _configured_url()
    if context.is_offline_mode():  # `alembic upgrade --sql`: prints the SQL, connects nowhere
        context.configure(url=url, literal_binds=True, **_options(make_url(url).get_backend_name()))
        with context.begin_transaction():
            context.run_migrations()
        return
    db = Database(url)
    try:
        with db.engine.begin() as connection:
            _migrate(connection)
    finally:
        db.dispose()


handed_in = context.config.attributes.get("connection")
if handed_in is not None:
    _migrate(handed_in)
else:
    _migrate_configured()
