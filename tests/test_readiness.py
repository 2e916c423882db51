"""/readyz says what keeps the process from its work: the database, its schema, the Bot API."""

import time

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from sandan.web import ops_app, readiness
from services.db import Database
from services.metrics import READY_API_AGE, ApiContact


def contact(seconds_ago: float | None) -> ApiContact:
    return ApiContact(None if seconds_ago is None else time.monotonic() - seconds_ago)


async def test_a_migrated_database_and_a_recent_bot_api_answer_make_the_process_ready(db):
    assert await readiness(db, contact(1)) == []


async def test_a_bot_api_silent_for_too_long_or_never_heard_makes_it_not_ready(db):
    assert await readiness(db, contact(READY_API_AGE + 5)) == ["bot_api"]
    assert await readiness(db, contact(None)) == ["bot_api"]


async def test_a_schema_behind_the_migrations_makes_it_not_ready(db):
    with db.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert await readiness(db, contact(1)) == ["migrations"]


async def test_a_database_that_does_not_answer_makes_it_not_ready(tmp_path):
    gone = Database(f"sqlite:///{tmp_path / 'missing' / 'sandan.db'}")  # its folder does not exist
    assert await readiness(gone, contact(1)) == ["database"]
    gone.dispose()


async def test_the_endpoints_answer_with_the_status_a_load_balancer_reads(db):
    async with TestClient(TestServer(ops_app(db, contact(None)))) as client:
        assert (await client.get("/healthz")).status == 200
        not_ready = await client.get("/readyz")
        assert not_ready.status == 503 and "bot_api" in await not_ready.text()
        page = await client.get("/metrics")
        assert page.status == 200 and "sandan_outbox_pending" in await page.text()
