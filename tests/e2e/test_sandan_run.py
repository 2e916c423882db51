"""`sandan run` as an operator starts it: a real process, the fake Telegram, then SIGTERM."""

import asyncio
import os
import signal
import sys

from sandan.fakebot import FakeBotApi, FakeUser


async def test_sandan_run_answers_start_and_stops_cleanly_on_sigterm(tmp_path):
    async with FakeBotApi(token="424242:RUN-TEST") as api:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
            "ADMIN_TELEGRAM_IDS": "777",
            "LOG_LEVEL": "INFO",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "sandan.cli",
            "run",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
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
