"""Telegram delivers updates at least once: remember which were applied."""

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete
from sqlalchemy.orm import Session

from models import ProcessedUpdate
from models.types import utcnow
from services.inserts import insert_or_skip

# Built once per dialect, on the table: it runs for every update, and building it per call
# (and running it through the ORM's bulk-insert path) cost several times the INSERT.
_TABLE = ProcessedUpdate.__table__
_RECORD = {
    dialect: insert_or_skip(_TABLE, dialect).values(
        update_id=bindparam("update_id"), processed_at=bindparam("at", type_=_TABLE.c.processed_at.type)
    )
    for dialect in ("postgresql", "sqlite")
}


def first_time(s: Session, update_id: int, *, now: datetime | None = None) -> bool:
    """Record the update; False if it was recorded before (a duplicate delivery)."""
    statement = _RECORD[s.bind.dialect.name]
    # psycopg's rowcount of an INSERT is kept only when asked for (SQLAlchemy's preserve_rowcount).
    params = {"update_id": update_id, "at": now or utcnow()}
    result = s.execute(statement, params, execution_options={"preserve_rowcount": True})
    return result.rowcount == 1


def forget_old(s: Session, *, older_than: timedelta = timedelta(days=7)) -> int:
    """Drop records Telegram can no longer redeliver (it keeps updates for 24 hours)."""
    cutoff = utcnow() - older_than
    result = s.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < cutoff))
    return result.rowcount
