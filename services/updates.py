"""Telegram delivers updates at least once: remember which were applied."""

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import ProcessedUpdate
from models.types import utcnow


async def first_time(s: AsyncSession, update_id: int, *, now: datetime | None = None) -> bool:
    """Record the update; False if it was recorded before (a duplicate delivery)."""
    insert = pg_insert if s.bind.dialect.name == "postgresql" else sqlite_insert
    result = await s.execute(
        insert(ProcessedUpdate)
        .values(update_id=update_id, processed_at=now or utcnow())
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    return result.rowcount == 1


async def forget_old(s: AsyncSession, *, older_than: timedelta = timedelta(days=7)) -> int:
    """Drop records Telegram can no longer redeliver (it keeps updates for 24 hours)."""
    cutoff = utcnow() - older_than
    result = await s.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < cutoff))
    return result.rowcount
