"""Memory of an idle `sandan run`, and which heavy libraries it has loaded.

    uv run python bench/rss.py [--samples 5]

1. In a clean child interpreter, imports what `sandan run` imports (sandan.cli, then
   sandan.serve) and prints which heavy libraries that loads, and that child's RSS.
2. Starts `sandan run` as a real process against the fake Bot API on 127.0.0.1, with a fresh
   SQLite database (one branch, one admin) in a temporary folder; waits until it has polled a
   few times with nothing to do, then prints the median VmRSS of a few samples, and which
   heavy libraries' compiled extensions are mapped into it (from /proc/PID/maps).
3. Sends `/stats all` as the admin (a chart: matplotlib), then `/export all` (a workbook:
   openpyxl), and prints the RSS after each, for comparison.

Prints figures, not verdicts. Stops the process with SIGTERM at the end, whatever happened.
"""

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The script's own folder holds bench/bot.py, which would hide the bot package.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from sandan.fakebot import FakeBotApi, FakeUser  # noqa: E402

HEAVY = ("matplotlib", "openpyxl", "numpy", "PIL", "qrcode", "faker", "fontTools")
ADMIN = FakeUser(777, "管理员")
TOKEN = "424242:RSS-BENCH"
IDLE_POLLS = 5  # getUpdates calls after start-up before the process counts as idle
SAMPLE_GAP = 0.5  # seconds between RSS samples
TIMEOUT = 60.0  # seconds any one wait may take

IMPORTS = f"""
import sys
import sandan.cli, sandan.serve
rss = [line for line in open('/proc/self/status') if line.startswith('VmRSS:')][0].split()[1]
print(rss, *[m for m in {HEAVY!r} if m in sys.modules])
"""


def imported_at_start() -> tuple[int, list[str]]:
    """(RSS in kB, heavy modules loaded) of a fresh interpreter after `sandan run`'s imports."""
    out = subprocess.run(
        [sys.executable, "-c", IMPORTS], cwd=ROOT, capture_output=True, text=True, check=True, timeout=TIMEOUT
    ).stdout.split()
    return int(out[0]), out[1:]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def mapped_heavy(pid: int) -> list[str]:
    """Heavy libraries with a compiled extension mapped into the process (pure Python ones never show)."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return [m for m in HEAVY if f"/site-packages/{m}/" in maps or f"/site-packages/{m.lower()}/" in maps]


async def median_rss(pid: int, samples: int) -> tuple[float, list[int]]:
    seen = []
    for _ in range(samples):
        seen.append(rss_kb(pid))
        await asyncio.sleep(SAMPLE_GAP)
    return statistics.median(seen), seen


def mb(kb: float) -> str:
    return f"{kb / 1024:.1f} MB"


def prepare_db(env: dict[str, str], folder: Path) -> None:
    """One branch, so that /stats and /export have something to report on."""
    cli = [sys.executable, "-m", "sandan.cli"]
    subprocess.run(
        [*cli, "branch", "add", "A", "幸福社区", "-g", "一网格"],
        env=env,
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
    )


async def idle_process(samples: int) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            env = {
                **os.environ,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": api.base_url,
                "DATABASE_URL": f"sqlite:///{folder / 'rss.db'}",
                "ADMIN_TELEGRAM_IDS": str(ADMIN.id),
                "LOG_LEVEL": "WARNING",
            }
            prepare_db(env, folder)
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "sandan.cli",
                "run",
                env=env,
                cwd=folder,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            try:
                await measure(api, process.pid, samples)
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), TIMEOUT)
                except TimeoutError:
                    process.kill()
                    await process.wait()


async def measure(api: FakeBotApi, pid: int, samples: int) -> None:
    await api.wait_for_call("getUpdates", n=IDLE_POLLS, timeout=TIMEOUT)
    idle, seen = await median_rss(pid, samples)
    print(f"idle `sandan run` RSS:        {mb(idle)} (median of {samples}: {', '.join(mb(s) for s in seen)})")
    print(f"  extensions mapped at idle:  {', '.join(mapped_heavy(pid)) or '-'}")

    api.send_command(ADMIN, "/start")
    await api.wait_for_messages(ADMIN.id, 1, timeout=TIMEOUT)
    after_start, _ = await median_rss(pid, samples)
    print(f"after /start RSS:             {mb(after_start)}")

    for command, method in (("/stats all", "sendPhoto"), ("/export all", "sendDocument")):
        api.send_command(ADMIN, command)
        await api.wait_for_call(method, chat_id=ADMIN.id, timeout=TIMEOUT)
        after, _ = await median_rss(pid, samples)
        print(f"after first {command + ' RSS:':<18}{mb(after)} (+{mb(after - idle)} over idle)")
    print(f"  extensions mapped now:      {', '.join(mapped_heavy(pid)) or '-'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=5, help="RSS samples per figure (median printed)")
    samples = max(1, parser.parse_args().samples)
    kb, heavy = imported_at_start()
    print(f"`sandan run` imports (sandan.cli + sandan.serve), fresh interpreter: RSS {mb(kb)}")
    print(f"  heavy modules imported: {', '.join(heavy) or '-'}")
    print(f"  not imported:           {', '.join(m for m in HEAVY if m not in heavy) or '-'}")
    asyncio.run(idle_process(samples))


if __name__ == "__main__":
    main()
