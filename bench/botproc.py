"""The processes bench/bot.py starts: the seeding, `sandan run` itself, the echo bot, py-spy;
and what it reads of them (RSS, CPU time)."""

import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

TOKEN = "424242:BENCH-BOT"
SWEEP = 5  # seconds between the bot's sweeps
BEIJING = ZoneInfo("Asia/Shanghai")
STOP_TIMEOUT = 30.0


def bot_env(api_root: str, database_url: str) -> dict[str, str]:
    """`sandan run`'s settings: the fake Bot API, the seeded file, frequent sweeps."""
    later = (datetime.now(UTC) + timedelta(hours=6)).astimezone(BEIJING)  # quiet hours hold notes
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api_root,
        "DATABASE_URL": database_url,
        "SWEEP_INTERVAL_SECONDS": str(SWEEP),
        "QUIET_HOURS": f"{later:%H:00}-{later + timedelta(hours=1):%H:00}",
        # Each resident of the mix posts many wishes within minutes: lift the per-resident limits.
        "MAX_OPEN_WISHES": "100",
        "MAX_WISHES_PER_HOUR": "1000",
        "STAFF_ALERTS_PER_HOUR": "1000",
        "LOG_LEVEL": "WARNING",
    }


def seed(env: dict[str, str], scale: str, cwd: Path) -> str:
    """`sandan seed` in a child process; its summary line."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "sandan.cli", "seed", "--scale", scale],
        env=env, cwd=cwd, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    return f"{out.splitlines()[-1]} ({time.perf_counter() - started:.0f} s with migrations)"


def presweep(env: dict[str, str]) -> str:
    """One sweep of the fresh seed, and what it queued marked delivered, as a running bot's
    would have been long ago."""
    from sqlalchemy import update

    from models import Outbox, OutboxStatus
    from models.types import utcnow
    from sandan.bootstrap import bootstrap
    from sandan.settings import load_settings
    from services.sweeps.sweep import run_sweep

    app = bootstrap(load_settings(database_url=env["DATABASE_URL"], quiet_hours=env["QUIET_HOURS"]))
    report = run_sweep(app.db, policy=app.sweeps, catalogue=app.catalogue, now=utcnow())
    with app.db.write() as s:
        pending = Outbox.status == OutboxStatus.pending
        marked = s.execute(update(Outbox).where(pending).values(status=OutboxStatus.sent)).rowcount
    app.db.dispose()
    return f"{report}; {marked} queued notifications marked delivered"


async def start(command: list[str], env: dict[str, str], cwd: Path, log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(*command, env=env, cwd=cwd, stdout=out, stderr=out)


async def stop(process: asyncio.subprocess.Process | None) -> None:
    """SIGTERM, then SIGKILL if it has not ended within STOP_TIMEOUT."""
    if process is None or process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


async def idle_rss(pid: int, samples: int = 5) -> float:
    """The median of a few VmRSS readings, 0.3 s apart."""
    seen = []
    for _ in range(samples):
        seen.append(rss_mb(pid))
        await asyncio.sleep(0.3)
    return statistics.median(seen)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """The cores each process used since the meter was made."""

    def __init__(self, *pids: int) -> None:
        self.pids, self.started = pids, time.perf_counter()
        self.used = [cpu_seconds(p) for p in pids]

    def cores(self) -> tuple[float, ...]:
        took = time.perf_counter() - self.started
        return tuple((cpu_seconds(p) - u) / took for p, u in zip(self.pids, self.used, strict=True))


def log_summary(log: Path) -> str:
    """How many lines the bots logged (they log warnings and errors only), and the last one."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    errors = sum(1 for line in lines if "ERROR" in line or "Traceback" in line)
    return f"{len(lines)} lines, {errors} with ERROR or a traceback" + (
        f"; last: {lines[-1][:200]}" if lines else ""
    )


def machine() -> str:
    load = Path("/proc/loadavg").read_text().split()[:3]
    return f"{os.cpu_count()} CPUs, load average {' '.join(load)}"


async def py_spy(pid: int, out: Path, seconds: float) -> asyncio.subprocess.Process | None:
    """py-spy recording what holds the GIL in `pid` for `seconds` into `out` (raw, collapsed stacks)."""
    spy = shutil.which("py-spy")
    if spy is None:
        print("py-spy not found: run under `uv run --with py-spy`", flush=True)
        return None
    command = [spy, "record", "--pid", str(pid), "--duration", str(max(1, int(seconds)))]
    return await asyncio.create_subprocess_exec(
        *command, "--format", "raw", "--gil", "--threads", "--nonblocking", "--output", str(out),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
