"""One process leads at a time; when it dies, another takes the lead within seconds."""

import asyncio
import time

import pytest
from sqlalchemy import text

from bot.leadership import LEADER_KEY, Leadership
from services.db import Database

FAST = {"retry": 0.1, "heartbeat": 0.1}


class Terms:
    """Records which process's term is running."""

    def __init__(self) -> None:
        self.running: set[str] = set()
        self.started: list[str] = []

    def of(self, name: str):
        async def term(ended: asyncio.Event) -> None:
            self.running.add(name)
            self.started.append(name)
            try:
                await ended.wait()
            finally:
                self.running.discard(name)

        return term


async def until(check, timeout: float = 5.0) -> float:  # noqa: ASYNC109
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, "not within the time"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_on_sqlite_the_one_process_leads(db):
    if not db.is_sqlite:
        pytest.skip("SQLite only")
    stop, terms = asyncio.Event(), Terms()
    running = asyncio.create_task(Leadership(db, **FAST).run(stop, terms.of("a")))
    await until(lambda: terms.running == {"a"})
    stop.set()
    await asyncio.wait_for(running, 5)
    assert terms.running == set()


async def test_one_of_several_processes_leads_and_another_takes_over_when_its_connection_dies(db):
    if db.is_sqlite:
        pytest.skip("PostgreSQL: SQLite serves one process")
    others = [Database(db.url) for _ in range(2)]  # each "process" its own engine
    stop, terms = asyncio.Event(), Terms()
    leaders = {name: Leadership(d, **FAST) for name, d in zip("ab", others, strict=True)}
    tasks = [asyncio.create_task(leaders[n].run(stop, terms.of(n))) for n in "ab"]
    try:
        await until(lambda: len(terms.running) == 1)
        await asyncio.sleep(0.5)
        assert len(terms.running) == 1  # never both
        first = next(iter(terms.running))
        (second,) = set("ab") - {first}
        leaders[first]._take = lambda: False  # dead: it will never hold the lock again
        with db.engine.connect() as admin:  # the leader's connection dies, as with a kill -9
            admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND objid = :low AND granted"  # in this test's database, not another test's
                    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                ),
                {"low": LEADER_KEY & 0xFFFFFFFF},
            )
            admin.commit()
        took = await until(lambda: terms.running == {second})
        assert took < 2.0  # RETRY and HEARTBEAT are 0.1 s here, 2 s each by default
        assert terms.started == [first, second]
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
        for d in others:
            d.dispose()
    assert terms.running == set()
