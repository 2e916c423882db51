"""Insert a new row for an ORM object without the unit of work.

`session.add(obj)` + `flush()` costs several times the INSERT itself: the flush
sorts the session's changes, builds parameters per mapper and runs events. The
use cases on the hot path create one object each and need its id at once, so
they INSERT it with a statement built once per table and then attach the object
to the session as if it had been loaded, with its id set.
"""

from sqlalchemy import Insert, Table, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlmodel import SQLModel

from services.db import run_core

_STATEMENTS: dict[Table, Insert] = {}


def _statement(table: Table) -> Insert:
    stmt = _STATEMENTS.get(table)
    if stmt is None:
        stmt = _STATEMENTS[table] = insert(table).returning(table.c.id)
    return stmt


def insert_new(s: Session, obj: SQLModel) -> None:
    """INSERT `obj` (a new object with an `id` primary key) and make it persistent in `s`.

    Every column but the id is written from the object, whose constructor has filled in
    the defaults, so the row is exactly what a flush would have written.
    """
    table = type(obj).__table__
    values = {c.key: getattr(obj, c.key) for c in table.columns if c.key != "id"}
    obj.id = run_core(s, _statement(table), values).scalar_one()
    make_transient_to_detached(obj)  # now it has an identity, as if loaded
    s.add(obj)


def insert_or_skip(table: Table, dialect: str) -> Insert:
    """An INSERT for `dialect` that skips rows a unique constraint already holds (ON CONFLICT DO NOTHING)."""
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table).on_conflict_do_nothing()
