"""kill -9 in the middle of a burst loses no update: the real `sandan run`, killed and started again."""

import asyncio
import signal
import time

from bot.workers import WORKERS  # at most this many updates are in hand when the process dies
from models import InboxStatus
from sandan.fakebot import FakeBotApi, FakeUser
from tests.e2e.runtime_helpers import inbox_statuses, processed_ids, replies, start_sandan

USERS, EACH = 30, 10  # 300 updates, each sender's well within the inbox's backlog limit
# A killed worker's claims are taken again once their lease lapses (INBOX_LEASE_SECONDS): short
# here, so the restarted process does not wait long for them.
LEASE = 3.0
SETTLE = LEASE + 30


async def wait_until(check, *, timeout: float, every: float = 0.01):  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, f"not within {timeout} s"
        await asyncio.sleep(every)
    return value


def handed_out(api: FakeBotApi, update_id: int) -> bool:
    """Whether a getUpdates has answered with `update_id` (the bot fetched it)."""
    return any(u["update_id"] >= update_id for c in api.calls("getUpdates") if c.ok for u in c.result or [])


async def test_a_kill_9_in_the_middle_of_a_burst_loses_no_update_and_applies_none_twice(db, tmp_path):
    log = tmp_path / "sandan.log"
    users = [FakeUser(4000 + n, f"居民{n}") for n in range(USERS)]
    async with FakeBotApi(token="424242:RUN-TEST") as api:
        first = await start_sandan(api, tmp_path, db.url, log, lease=LEASE)
        try:
            await api.wait_for_call("getUpdates", timeout=30)
            injected = [api.send_text(u, f"第{n}条") for n in range(EACH // 2) for u in users]
            await wait_until(lambda: len(processed_ids(db)) >= len(injected) // 5, timeout=20)
            rest = [api.send_text(u, f"第{n}条") for n in range(EACH // 2, EACH) for u in users]
            injected += rest
            # Killed the moment the second wave is fetched: most likely before it is stored.
            await api.wait_for(lambda: handed_out(api, rest[0]), timeout=10)
        finally:
            if first.returncode is None:
                first.kill()  # SIGKILL: no clean shutdown, whatever was in hand stays so
            await first.wait()
        killed_at = time.monotonic()
        applied_before = len(processed_ids(db))
        assert 0 < applied_before < len(injected), "the kill came before or after the burst"
        second = await start_sandan(api, tmp_path, db.url, log, lease=LEASE)
        try:
            await wait_until(
                lambda: inbox_statuses(db)[InboxStatus.done] == len(injected), timeout=SETTLE, every=0.2
            )
            await api.wait_all_confirmed(timeout=10)
            recovered_in = time.monotonic() - killed_at
        finally:
            if second.returncode is None:
                second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), timeout=30)
    output = log.read_text()
    assert second.returncode == 0, output[-3000:]
    assert sorted(processed_ids(db)) == sorted(injected)  # each applied, and recorded once
    assert inbox_statuses(db) == {InboxStatus.done: len(injected)}
    answered = {u.id: len(replies(api, u)) for u in users}
    assert max(answered.values()) <= EACH, answered  # nobody answered twice for one message
    # Only an update whose answer was on its way when the process died can miss its answer.
    assert sum(answered.values()) >= len(injected) - WORKERS, (answered, recovered_in)
    assert "Traceback" not in output, output[-3000:]


async def test_a_sigterm_in_a_burst_finishes_what_is_in_hand_and_the_next_start_takes_the_rest_at_once(
    db, tmp_path
):
    log = tmp_path / "sandan.log"
    users = [FakeUser(4500 + n, f"居民{n}") for n in range(USERS)]
    async with FakeBotApi(token="424242:TERM-TEST") as api:
        first = await start_sandan(api, tmp_path, db.url, log)  # the default 30 s leases
        try:
            await api.wait_for_call("getUpdates", timeout=30)
            injected = [api.send_text(u, f"第{n}条") for n in range(EACH) for u in users]
            await wait_until(lambda: len(processed_ids(db)) >= len(injected) // 5, timeout=20)
        finally:
            first.send_signal(signal.SIGTERM)
            asked = time.monotonic()
            await asyncio.wait_for(first.wait(), timeout=30)
        stopped_in = time.monotonic() - asked
        assert first.returncode == 0, log.read_text()[-3000:]
        assert inbox_statuses(db)[InboxStatus.working] == 0  # nothing left held by the stopped process
        second = await start_sandan(api, tmp_path, db.url, log)
        try:
            started = time.monotonic()
            # Well inside the 30 s a lapsed lease would make the rest wait.
            await wait_until(
                lambda: inbox_statuses(db)[InboxStatus.done] == len(injected), timeout=20, every=0.2
            )
            await wait_until(lambda: sum(len(replies(api, u)) for u in users) >= len(injected), timeout=20)
            resumed_in = time.monotonic() - started
        finally:
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), timeout=30)
    assert sorted(processed_ids(db)) == sorted(injected)
    assert all(len(replies(api, u)) == EACH for u in users), (stopped_in, resumed_in)
    assert "Traceback" not in log.read_text()
