"""The Alembic revisions build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from sandan.migrate import downgrade, upgrade


def _differences(sync_conn) -> list:
    context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
    return compare_metadata(context, SQLModel.metadata)


async def test_the_migrated_schema_matches_the_models(db):
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(_differences)
    assert diff == []


async def test_downgrading_to_the_first_revision_and_back_works(db):
    await downgrade(db, "0001")
    await upgrade(db)
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_differences) == []
