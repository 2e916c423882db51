"""`sandan run` as an operator starts it: a real process, the fake Telegram, then SIGTERM."""

import asyncio
import os
import signal
import sys
from datetime import timedelta

from models import User
from models.types import utcnow
from sandan.fakebot import FakeBotApi, FakeUser
from sandan.migrate import upgrade
from services.db import Database
from tests.factories import build_world, submit
from tests.sweeps.helpers import clock, quiet_hours_away_from_now


async def start_sandan(api: FakeBotApi, tmp_path, database_url: str, **settings: str):
    """`sandan run` in a child process, against the fake Telegram, its output piped back."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_URL": database_url,
        **settings,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandan.cli",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def test_sandan_run_answers_start_and_stops_cleanly_on_sigterm(tmp_path):
    async with FakeBotApi(token="424242:RUN-TEST") as api:
        database = f"sqlite:///{tmp_path / 'run.db'}"
        process = await start_sandan(api, tmp_path, database, ADMIN_TELEGRAM_IDS="777", LOG_LEVEL="INFO")
        try:
            await api.wait_for_call("getUpdates", timeout=30)
            api.send_command(FakeUser(777, "管理员"), "/start")
            [greeting] = await api.wait_for_messages(777, 1, timeout=15)
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    assert "管理员" in greeting["text"]
    assert process.returncode == 0
    log = output.decode()
    assert "Sandan is running" in log and api.token not in log


async def test_sandan_run_sweeps_at_start_and_reminds_staff_of_an_untriaged_wish(tmp_path, catalogue):
    path = tmp_path / "run.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade(db)
    with clock(utcnow() - timedelta(hours=3)):
        w = await build_world(db, catalogue)
        await submit(w)
    async with db.read() as s:
        staff_telegram = (await s.get(User, w.staff_id)).telegram_id
    await db.dispose()
    async with FakeBotApi(token="424242:RUN-TEST") as api:
        process = await start_sandan(
            api, tmp_path, f"sqlite:///{path}", QUIET_HOURS=quiet_hours_away_from_now()
        )

        def reminded():
            return [m for m in api.sent_messages(staff_telegram) if "还没有受理" in m["text"]]

        try:
            await api.wait_for(reminded, timeout=30)
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.communicate(), timeout=30)
    assert len(reminded()) == 1
