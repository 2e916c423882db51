"""`sandan run` as an operator starts it: a real process, the fake Telegram, then SIGTERM."""

import asyncio
import os
import signal
import subprocess
import sys
from datetime import timedelta

from models import User
from models.types import utcnow
from sandan.fakebot import FakeBotApi, FakeUser
from sandan.fakebot.proxy import free_port
from sandan.migrate import upgrade
from sandan.serve import TOKEN_REJECTED
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
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    with clock(utcnow() - timedelta(hours=3)):
        w = build_world(db, catalogue)
        submit(w)
    with db.read() as s:
        staff_telegram = s.get(User, w.staff_id).telegram_id
    db.dispose()
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


async def read_until(process, text: str, *, timeout: float = 30) -> str:  # noqa: ASYNC109
    """The process's output up to and including the first line containing `text`."""
    seen = []

    async def scan():
        while line := await process.stdout.readline():
            seen.append(line.decode())
            if text in seen[-1]:
                return
        raise AssertionError(f"the process ended without printing {text!r}:\n{''.join(seen)}")

    await asyncio.wait_for(scan(), timeout)
    return "".join(seen)


async def test_sandan_run_waits_for_an_unreachable_bot_api_and_starts_once_it_answers(tmp_path):
    port, token = free_port(), "424242:RUN-TEST"
    env = {
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "ADMIN_TELEGRAM_IDS": "777",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandan.cli",
        "run",
        env={**os.environ, **env},
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        waited = await read_until(process, "unreachable")  # nothing listens on the port yet
        assert process.returncode is None  # still running, waiting to try again
        async with FakeBotApi(token=token, port=port) as api:
            await api.wait_for_call("getUpdates", timeout=90)
            api.send_command(FakeUser(777, "管理员"), "/start")
            [greeting] = await api.wait_for_messages(777, 1, timeout=15)
            process.send_signal(signal.SIGTERM)
            rest, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
    assert "管理员" in greeting["text"]
    assert process.returncode == 0
    assert "trying again" in waited and token not in waited + rest.decode()


async def test_sandan_run_stops_cleanly_on_sigterm_while_waiting_for_the_bot_api(tmp_path):
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandan.cli",
        "run",
        env={
            **os.environ,
            "TELEGRAM_BOT_TOKEN": "424242:RUN-TEST",
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        },
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await read_until(process, "unreachable")
        process.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(process.communicate(), timeout=10)
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0, rest.decode()[-3000:]
    assert "Traceback" not in rest.decode(), rest.decode()[-3000:]
    assert "424242:RUN-TEST" not in rest.decode() and "Unclosed" not in rest.decode()


async def test_sandan_run_exits_with_a_clear_message_and_no_token_when_telegram_rejects_it(tmp_path):
    async with FakeBotApi(token="424242:RUN-TEST") as api:
        api.fail_next("getMe", 401, count=None, description="Unauthorized")
        process = await start_sandan(api, tmp_path, f"sqlite:///{tmp_path / 'run.db'}")
        try:
            output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
    log = output.decode()
    assert process.returncode == TOKEN_REJECTED
    assert "TELEGRAM_BOT_TOKEN" in log and "Traceback" not in log
    assert api.token not in log and "RUN-TEST" not in log


def test_webhook_mode_without_its_settings_says_which_are_missing(tmp_path):
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "424242:X", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    done = subprocess.run(
        [sys.executable, "-m", "sandan.cli", "run", "--webhook"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "WEBHOOK_URL" in done.stderr and "WEBHOOK_SECRET" in done.stderr and "HTTP_PORT" in done.stderr
