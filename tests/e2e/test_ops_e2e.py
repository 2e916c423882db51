"""The real `sandan run` serves /healthz, /readyz and /metrics, and its figures follow the work."""

import asyncio
import re
import signal

import aiohttp

from sandan.fakebot import FakeBotApi, FakeUser
from sandan.fakebot.proxy import free_port
from tests.e2e.runtime_helpers import replies, start_sandan

RESIDENT = FakeUser(5101, "王秀英")


def figure(page: str, name: str) -> float:
    """One sample's value from Prometheus's text format (0 if absent)."""
    found = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", page, re.M)
    return float(found.group(1)) if found else 0.0


async def get(http: aiohttp.ClientSession, url: str, *, tries: int = 100) -> tuple[int, str]:
    """GET, trying again while the process is still starting (at most `tries` times, 0.1 s apart)."""
    for _ in range(tries):
        try:
            async with http.get(url) as response:
                return response.status, await response.text()
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.1)
    raise AssertionError(f"{url} never answered")


async def test_health_readiness_and_metrics_answer_and_the_figures_change_as_work_is_done(db, tmp_path):
    port = free_port()
    root = f"http://127.0.0.1:{port}"
    async with FakeBotApi(token="424242:OPS-TEST") as api, aiohttp.ClientSession() as http:
        proc = await start_sandan(api, tmp_path, db.url, tmp_path / "sandan.log", HTTP_PORT=str(port))
        try:
            assert await get(http, f"{root}/healthz") == (200, "ok\n")
            await api.wait_for_call("getUpdates", timeout=30)
            assert await get(http, f"{root}/readyz") == (200, "ready\n")
            _, before = await get(http, f"{root}/metrics")
            assert figure(before, "sandan_leader") in (0.0, 1.0)
            for n in range(3):
                api.send_command(RESIDENT, "/help" if n else "/start")
            await api.wait_for(lambda: len(replies(api, RESIDENT)) >= 3, timeout=20)
            await asyncio.sleep(0.2)  # the counters move after the replies are sent
            _, after = await get(http, f"{root}/metrics")
        finally:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), timeout=30)
    processed = "sandan_updates_processed_total"
    assert figure(after, processed) - figure(before, processed) == 3
    assert figure(after, "sandan_updates_received_total") >= 3
    commands = 'sandan_update_handling_seconds_count{kind="command"}'
    assert figure(after, commands) - figure(before, commands) == 3
    assert figure(after, "sandan_inbox_open") == 0
    assert "sandan_outbox_pending" in after and "sandan_telegram_429_total" in after
    assert proc.returncode == 0
