"""SQLite runs in WAL mode, with the settings services.db gives every connection."""

import sqlite3

import pytest
from sqlalchemy import text

from services.db import WAL_CHECKPOINT_PAGES


@pytest.fixture
def sqlite_db(db):
    if not db.is_sqlite:
        pytest.skip("SQLite only")
    return db


def test_sqlite_connections_are_tuned(sqlite_db):
    names = ("journal_mode", "synchronous", "wal_autocheckpoint", "foreign_keys")
    with sqlite_db.write() as s:
        pragma = {name: s.execute(text(f"PRAGMA {name}")).scalar() for name in names}
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "wal_autocheckpoint": WAL_CHECKPOINT_PAGES,
        "foreign_keys": 1,
    }


def test_a_write_transaction_holds_the_write_lock_even_while_only_reading(sqlite_db):
    other = sqlite3.connect(sqlite_db.engine.url.database, timeout=0, isolation_level=None)
    try:
        with sqlite_db.write() as s:
            s.execute(text("SELECT 1"))  # a deferred BEGIN would hold no write lock yet
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the transaction ended
        other.execute("ROLLBACK")
    finally:
        other.close()
