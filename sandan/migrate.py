"""Apply Alembic migrations through the application's own engine."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from services.db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the database schema up to `revision`."""
    with db.engine.begin() as conn:
        command.upgrade(_config(conn), revision)


def autogenerate(db: Database, message: str) -> None:
    """Write a new revision from the difference between models and schema."""
    with db.engine.begin() as conn:
        command.revision(_config(conn), message, autogenerate=True)


def downgrade(db: Database, revision: str) -> None:
    """Take the database schema back to `revision`."""
    with db.engine.begin() as conn:
        command.downgrade(_config(conn), revision)
