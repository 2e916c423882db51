"""The Alembic revisions build exactly the schema the models describe, and go down and up with data."""

from datetime import UTC, date, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, String, Table, func, insert, inspect, select
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from models import (
    Branch,
    BranchDigest,
    Broadcast,
    ConversationState,
    FollowUp,
    Grid,
    GroupPost,
    InboxStatus,
    InboxUpdate,
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


def _diff(db) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def _fill_every_table(db) -> None:
    """A small seeded district, plus a row in each table the seed leaves empty."""
    seed(db, scale="small", now=NOW)
    with db.write() as s:
        branch_id = s.scalar(select(func.min(Branch.id)))
        user_id = s.scalar(select(func.min(User.id)))
        wish_id = s.scalar(select(func.min(Wish.id)))
        broadcast_id = s.scalar(
            insert(Broadcast)
            .values(
                branch_id=branch_id, created_by=user_id, audience="members", text="停水通知", created_at=NOW
            )
            .returning(Broadcast.id)
        )
        row = {"user_id": user_id, "params": {}, "not_before": NOW, "created_at": NOW, "status": "sent"}
        s.execute(
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
        s.execute(insert(ProcessedUpdate).values(update_id=1, processed_at=NOW))
        s.execute(insert(GroupPost).values(chat_id=-1001, posted_at=NOW))
        arrived = {"update_id": 2, "message": {"text": "x"}}
        s.execute(
            insert(InboxUpdate).values(
                update_id=2, user_key=5, raw=arrived, status=InboxStatus.pending, received_at=NOW
            )
        )
        s.execute(insert(SentReminder).values(wish_id=wish_id, kind="triage", seq=1, sent_at=NOW))
        s.execute(insert(BranchDigest).values(branch_id=branch_id, day=date(2026, 3, 1), sent_at=NOW))
        s.execute(
            insert(FollowUp).values(wish_id=wish_id, branch_id=branch_id, reason="dispute", created_at=NOW)
        )
        state = {"telegram_id": 5, "flow": "wish", "step": "text", "data": {"text": "x"}, "updated_at": NOW}
        s.execute(insert(ConversationState).values(**state))
    with db.read() as s:
        for model in SQLModel.metadata.tables.values():
            assert s.scalar(select(func.count()).select_from(model)) > 0, model.name


def _counts(db, tables) -> dict[str, int]:
    with db.read() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in tables}


def _table_names(db) -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names()) - {"alembic_version"}


def test_the_migrated_schema_matches_the_models(db):
    assert _diff(db) == []


def test_the_comparison_sees_a_model_table_the_migrations_lack(db):
    table = Table("motto", SQLModel.metadata, Column("id", Integer, primary_key=True), Column("t", String(9)))
    try:
        assert [(op, found.name) for op, found in _diff(db)] == [("add_table", "motto")]
    finally:
        SQLModel.metadata.remove(table)
    assert _diff(db) == []


def test_a_populated_database_goes_down_to_the_first_revision_keeping_its_rows_and_back_up(db):
    _fill_every_table(db)
    before = _counts(db, FIRST_TABLES)

    downgrade(db, "0001")
    assert _counts(db, FIRST_TABLES) == before
    assert "broadcast" not in _table_names(db)

    upgrade(db)
    assert _counts(db, FIRST_TABLES) == before
    assert _diff(db) == []


def test_a_populated_database_goes_down_to_base_and_back_up_to_the_models_schema(db):
    _fill_every_table(db)

    downgrade(db, "base")
    assert _table_names(db) == set()

    upgrade(db)
    assert _diff(db) == []
    _fill_every_table(db)  # the rebuilt schema takes a full load again
