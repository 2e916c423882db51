"""Memory of an idle `sandan run`, and which heavy libraries it has loaded.

    uv run python bench/rss.py [--scale small|district] [--samples 5] [--night] [--source DIR]

1. In a clean child interpreter, imports what `sandan run` imports (sandan.cli, then
   sandan.serve) and prints which heavy libraries that loads, and that child's RSS.
2. Starts `sandan run` as a real process against the fake Bot API on 127.0.0.1, on a SQLite
   database in a temporary folder: fresh (one branch, one admin) by default, or seeded at
   `--scale` first (bench/rss_setup.py). Waits until it has polled a few times, sent nothing for a
   while and its RSS has settled (the first sweep runs at start), then prints the median VmRSS
   of a few samples, its anonymous and file-backed parts, and which heavy libraries' compiled
   extensions are mapped into it (from /proc/PID/maps).
3. As the admin sends `/start`, `/dispatch NUMBER` for an accepted wish (a ranking: numpy;
   seeded databases only), `/stats all` (a chart: matplotlib), then `/export all` (a workbook:
   openpyxl), and prints the RSS after each.

Quiet hours are set to lie half a day away, so that the first sweep does its day's work (it
ranks), or with `--night` to hold now.
`--source DIR` runs both from another checkout (e.g. `git worktree add /tmp/before HEAD~1`),
for a before/after comparison on the same machine. `--sqlite-cache-kib N` starts the bot with
services.db.CACHE_KIB set to N, to show what the SQLite page cache holds (a what-if, not a setting).
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The script's own folder holds bench/bot.py, which would hide the bot package.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from bench.rss_setup import ADMIN, TOKEN, accepted_wish, launch_env, prepare, with_source  # noqa: E402
from sandan.fakebot import FakeBotApi  # noqa: E402

HEAVY = ("matplotlib", "openpyxl", "numpy", "PIL", "qrcode", "faker", "fontTools", "alembic")
IDLE_POLLS = 5  # getUpdates calls after start-up before the process may count as idle
QUIET = 3.0  # seconds without a call but getUpdates, and without RSS growth, that make it idle
SETTLED_KB = 256  # RSS growth within QUIET that still counts as settled
SAMPLE_GAP = 0.5  # seconds between RSS samples
TIMEOUT = 60.0  # seconds any one reply may take
IDLE_TIMEOUT = 600.0  # seconds start-up (migrations, first sweep, its notifications) may take
LABEL = 40  # width of the printed labels

IMPORTS = f"""
import sys
import sandan.cli, sandan.serve
rss = [line for line in open('/proc/self/status') if line.startswith('VmRSS:')][0].split()[1]
print(rss, *[m for m in {HEAVY!r} if m in sys.modules])
"""
# The what-if sets the constant before sandan.cli runs; sqlite_pragmas reads it at each connect.
WHAT_IF_CACHE = (
    "import sys, services.db as db; assert hasattr(db, 'CACHE_KIB'); db.CACHE_KIB = {kib}; "
    "sys.argv = ['sandan', 'run']; from sandan.cli import main; main()"
)


def imported_at_start(source: Path | None) -> tuple[int, list[str]]:
    """(RSS in kB, heavy modules loaded) of a fresh interpreter after `sandan run`'s imports."""
    out = subprocess.run(
        [sys.executable, "-c", IMPORTS], env=with_source(dict(os.environ), source), cwd=source or ROOT,
        capture_output=True, text=True, check=True, timeout=TIMEOUT,
    ).stdout.split()  # fmt: skip
    return int(out[0]), out[1:]


def status_kb(pid: int, *fields: str) -> list[int]:
    """Fields of /proc/PID/status (VmRSS, RssAnon, RssFile, ...), in kB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        found[name] = value
    return [int(found[f].split()[0]) for f in fields]


def mapped_heavy(pid: int) -> list[str]:
    """Heavy libraries with a compiled extension mapped into the process (pure Python ones never show)."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return [m for m in HEAVY if f"/site-packages/{m}/" in maps or f"/site-packages/{m.lower()}/" in maps]


def open_connections(pid: int, db: Path) -> int:
    """SQLite connections the process holds open (one descriptor on the file each): each keeps a
    page cache of its own, up to services.db.CACHE_KIB."""
    fds = Path(f"/proc/{pid}/fd").iterdir()
    return sum(1 for fd in fds if os.path.realpath(fd) == str(db.resolve()))


async def median_rss(pid: int, samples: int) -> tuple[float, list[int]]:
    seen = []
    for _ in range(samples):
        seen.append(status_kb(pid, "VmRSS")[0])
        await asyncio.sleep(SAMPLE_GAP)
    return statistics.median(seen), seen


def mb(kb: float) -> str:
    return f"{kb / 1024:.1f} MB"


async def wait_idle(api: FakeBotApi, pid: int) -> float:
    """Seconds until the bot polls, has sent nothing but polls for QUIET s and its RSS has settled."""
    started = time.monotonic()
    await api.wait_for_call("getUpdates", n=IDLE_POLLS, timeout=IDLE_TIMEOUT)
    recent: list[int] = []
    while time.monotonic() - started < IDLE_TIMEOUT:
        recent = [*recent, status_kb(pid, "VmRSS")[0]][-int(QUIET / SAMPLE_GAP) :]
        busy = [c.time for c in api.calls() if c.method != "getUpdates"]
        quiet = not busy or time.time() - busy[-1] >= QUIET
        if quiet and len(recent) * SAMPLE_GAP >= QUIET and recent[-1] - min(recent) <= SETTLED_KB:
            return time.monotonic() - started
        await asyncio.sleep(SAMPLE_GAP)
    raise TimeoutError(f"`sandan run` was still busy after {IDLE_TIMEOUT:.0f} s")


async def idle_process(args: argparse.Namespace) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            env = launch_env(api.base_url, folder, night=args.night, source=args.source)
            print(f"database: {prepare(env, folder / 'rss.db', args.scale)}")
            kib = args.sqlite_cache_kib
            command = ["-c", WHAT_IF_CACHE.format(kib=kib)] if kib else ["-m", "sandan.cli", "run"]
            process = await asyncio.create_subprocess_exec(
                sys.executable, *command, env=env, cwd=folder,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            try:
                await measure(api, process.pid, args.samples, folder / "rss.db")
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), TIMEOUT)
                except TimeoutError:
                    process.kill()
                    await process.wait()


async def reply(api: FakeBotApi, command: str, wanted) -> None:
    """Send `command` as the admin; wait until a message to the admin since then passes `wanted`."""
    before = len(api.sent_messages(ADMIN.id))
    api.send_command(ADMIN, command)
    await api.wait_for(lambda: any(wanted(m) for m in api.sent_messages(ADMIN.id)[before:]), TIMEOUT)


async def measure(api: FakeBotApi, pid: int, samples: int, db: Path) -> None:
    wish = accepted_wish(db)
    took = await wait_idle(api, pid)
    idle, seen = await median_rss(pid, samples)
    sent = len([c for c in api.calls() if c.method != "getUpdates"])
    anon, file = status_kb(pid, "RssAnon", "RssFile")
    print(f"idle after {took:.0f} s ({sent} calls but getUpdates during start-up)")
    every = ", ".join(mb(s) for s in seen)
    print(f"{'idle `sandan run` RSS:':<{LABEL}}{mb(idle)} (median of {samples}: {every})")
    print(f"{'  anonymous, file-backed:':<{LABEL}}{mb(anon)}, {mb(file)}")
    print(f"{'  extensions mapped at idle:':<{LABEL}}{', '.join(mapped_heavy(pid)) or '-'}")
    print(f"{'  SQLite connections open at idle:':<{LABEL}}{open_connections(pid, db)}")

    steps = [("/start", lambda m: True)]
    if wish:
        steps.append((f"/dispatch {wish}", lambda m: wish in (m.get("text") or "")))
    steps += [("/stats all", lambda m: "photo" in m), ("/export all", lambda m: "document" in m)]
    for command, wanted in steps:
        await reply(api, command, wanted)
        after, _ = await median_rss(pid, samples)
        label = "/dispatch (ranking)" if command.startswith("/dispatch") else command
        print(f"{'after first ' + label + ' RSS:':<{LABEL}}{mb(after)} (+{mb(after - idle)} over idle)")
    if not wish:
        print("  (no accepted wish to rank: a fresh database has none; try --scale small)")
    print(f"{'  extensions mapped now:':<{LABEL}}{', '.join(mapped_heavy(pid)) or '-'}")
    print(f"{'  SQLite connections open now:':<{LABEL}}{open_connections(pid, db)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("small", "district"), help="seed it first (default: fresh)")
    parser.add_argument("--samples", type=int, default=5, help="RSS samples per figure (median printed)")
    parser.add_argument("--source", type=Path, help="run `sandan run` from this checkout instead")
    parser.add_argument("--night", action="store_true", help="start in quiet hours (a lighter first sweep)")
    parser.add_argument("--sqlite-cache-kib", type=int, help="what-if: services.db.CACHE_KIB for the run")
    args = parser.parse_args()
    args.samples = max(1, args.samples)
    kb, heavy = imported_at_start(args.source)
    print(f"`sandan run` imports (sandan.cli + sandan.serve), fresh interpreter: RSS {mb(kb)}")
    print(f"  heavy modules imported: {', '.join(heavy) or '-'}")
    print(f"  not imported:           {', '.join(m for m in HEAVY if m not in heavy) or '-'}")
    asyncio.run(idle_process(args))


if __name__ == "__main__":
    main()
