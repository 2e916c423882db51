"""The Alembic revisions build exactly the schema the models describe, and go down and up with data."""

from datetime import UTC, date, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, insert, inspect, select
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from models import (
    Branch,
    BranchDigest,
    Broadcast,
    ConversationState,
    FollowUp,
    Grid,
    MemberProfile,
    Offer,
    Outbox,
    ProcessedUpdate,
    Rating,
    ResidentProfile,
    SentReminder,
    Staff,
    User,
    Wish,
    WishEvent,
)
from sandan.migrate import downgrade, upgrade
from sandan.seed import seed

NOW = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
# The tables revision 0001 made; a downgrade to it must keep their rows.
FIRST_TABLES = (
    Branch,
    Grid,
    User,
    Staff,
    ResidentProfile,
    MemberProfile,
    Wish,
    WishEvent,
    Offer,
    Rating,
    Outbox,
    ProcessedUpdate,
    SentReminder,
    ConversationState,
)


def _differences(sync_conn) -> list:
    context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
    return compare_metadata(context, SQLModel.metadata)


async def _diff(db) -> list:
    async with db.engine.connect() as conn:
        return await conn.run_sync(_differences)


async def _fill_every_table(db) -> None:
    """A small seeded district, plus a row in each table the seed leaves empty."""
    await seed(db, scale="small", now=NOW)
    async with db.write() as s:
        branch_id = await s.scalar(select(func.min(Branch.id)))
        user_id = await s.scalar(select(func.min(User.id)))
        wish_id = await s.scalar(select(func.min(Wish.id)))
        broadcast_id = await s.scalar(
            insert(Broadcast)
            .values(
                branch_id=branch_id, created_by=user_id, audience="members", text="停水通知", created_at=NOW
            )
            .returning(Broadcast.id)
        )
        row = {"user_id": user_id, "params": {}, "not_before": NOW, "created_at": NOW, "status": "sent"}
        await s.execute(
            insert(Outbox),
            [
                {
                    **row,
                    "key": "note.wish.accepted",
                    "wish_id": wish_id,
                    "caused_by": user_id,
                    "parts_sent": 1,
                },
                {**row, "key": "broadcast.message", "broadcast_id": broadcast_id, "quiet": True},
            ],
        )
        await s.execute(insert(ProcessedUpdate).values(update_id=1, processed_at=NOW))
        await s.execute(insert(SentReminder).values(wish_id=wish_id, kind="triage", seq=1, sent_at=NOW))
        await s.execute(insert(BranchDigest).values(branch_id=branch_id, day=date(2026, 3, 1), sent_at=NOW))
        await s.execute(
            insert(FollowUp).values(wish_id=wish_id, branch_id=branch_id, reason="dispute", created_at=NOW)
        )
        state = {"telegram_id": 5, "flow": "wish", "step": "text", "data": {"text": "x"}, "updated_at": NOW}
        await s.execute(insert(ConversationState).values(**state))
    async with db.read() as s:
        for model in SQLModel.metadata.tables.values():
            assert await s.scalar(select(func.count()).select_from(model)) > 0, model.name


async def _counts(db, tables) -> dict[str, int]:
    async with db.read() as s:
        return {m.__tablename__: await s.scalar(select(func.count()).select_from(m)) for m in tables}


async def _table_names(db) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names())) - {"alembic_version"}


async def test_the_migrated_schema_matches_the_models(db):
    assert await _diff(db) == []


async def test_a_populated_database_goes_down_to_the_first_revision_keeping_its_rows_and_back_up(db):
    await _fill_every_table(db)
    before = await _counts(db, FIRST_TABLES)

    await downgrade(db, "0001")
    assert await _counts(db, FIRST_TABLES) == before
    assert "broadcast" not in await _table_names(db)

    await upgrade(db)
    assert await _counts(db, FIRST_TABLES) == before
    assert await _diff(db) == []


async def test_a_populated_database_goes_down_to_base_and_back_up_to_the_models_schema(db):
    await _fill_every_table(db)

    await downgrade(db, "base")
    assert await _table_names(db) == set()

    await upgrade(db)
    assert await _diff(db) == []
    await _fill_every_table(db)  # the rebuilt schema takes a full load again
