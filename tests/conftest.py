"""Fixtures: a fresh migrated database per test, on SQLite and optionally PostgreSQL."""

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sandan.migrate import upgrade
from sandan.settings import DEFAULT_CATALOGUE
from services.catalogue import load_catalogue
from services.db import Database

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file; each test gets a copy, so each starts fresh."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()
    return path


def _pg_url(name: str) -> str:
    base = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    return base.rsplit("/", 1)[0] + f"/{name}"


def _pg_admin(sql: str) -> None:
    engine = create_engine(_pg_url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"])
def db(request, sqlite_template, tmp_path):
    """A fresh, migrated database: a SQLite copy, or a new PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        database = Database(f"sqlite:///{path}")
        yield database
        database.dispose()
        return
    name = f"sandan_test_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    database = Database(_pg_url(name))
    upgrade(database)
    yield database
    database.dispose()
    _pg_admin(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue(DEFAULT_CATALOGUE)


@pytest.fixture(autouse=True)
def unconfigured_alert_budget(monkeypatch):
    """No test inherits the alert budget another one configured (`bootstrap` sets it process-wide)."""
    from services import alert_budget

    monkeypatch.setattr(alert_budget.BUDGET, "per_hour", None)
