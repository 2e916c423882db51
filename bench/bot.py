"""Sandan's throughput and latency under a real mix, with the bot in a process of its own.

    uv run python bench/bot.py [--scale district|small] [--seconds 15] [--rounds 2] [--py-spy FILE]

1. Seeds the scale into a temporary SQLite file (`sandan seed`, a child process), runs one
   sweep there and marks what it queued as delivered: the seed's two years were never
   swept, and the bot should start where a running one would be, not 1,500 reminders behind.
2. Starts the real `sandan run` (python -m sandan.cli run) against a fake Bot API in this
   process (bench/load.py, no flood limits), sweeping every 5 s, and reads its idle RSS.
3. Open loop (bench/slots.py): updates injected on a fixed schedule, 50 and then 100 a second,
   each without and then with the admin sending /stats all every 3 s, after an unreported
   warm-up. 200 seeded people (bench/cast.py) play the mix (bench/mix.py): residents post
   wishes through the form and rate them, staff accept and dispatch them, members take (or
   claim from the wall) and complete them. One slot in four, and any slot the mix cannot use,
   is a probe user's /start or /help. Latency runs from an update to its own reply: a button
   press to its answerCallbackQuery (which names the press), a probe's command to the probe's
   next message (probes get no notifications).
4. Once the bot has worked off the open loop's backlog, closed loops, --rounds times,
   alternating: 200 users each waiting for their reply, against a bare PTB echo bot on
   Sandan's framework and transport (bench/echo.py, its own process), and against Sandan
   (probe users, /start and /help in turn).

Prints figures beside the issue's targets, no verdicts. On a 2-CPU machine, --scale small
--seconds 5 takes about a minute and a half, the district default about four minutes.

With --py-spy FILE (under `uv run --with py-spy`), py-spy records where the bot process spends
its CPU (the thread holding the GIL) during one phase (--py-spy-phase, the last by default)
into FILE, in its raw format: one collapsed stack and its count a line.
"""

import argparse
import asyncio
import contextlib
import itertools
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, and this file (bot.py) would
# hide the `bot` package.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from bench import botproc  # noqa: E402
from bench.cast import choose_cast  # noqa: E402
from bench.figures import print_closed, print_open, print_rss  # noqa: E402
from bench.load import COMMANDS, BenchApi, Phase, Probes, closed_loop  # noqa: E402
from bench.mix import actors  # noqa: E402
from bench.slots import OpenLoop  # noqa: E402
from sandan.fakebot import FakeUser  # noqa: E402
from sandan.settings import DEFAULT_CATALOGUE  # noqa: E402
from services.catalogue import load_catalogue  # noqa: E402
from services.db import Database  # noqa: E402

LOADS = (50, 100)  # updates offered per second
WARM_UP = (50, 10.0)  # rate and longest duration of the unreported first phase
CLOSED_USERS = 200
ECHO_ID = 7_000_000_000  # the echo bot's users (on its own fake API, they meet no one)
START_TIMEOUT = 120.0
SETTLE_LIMIT = 120.0  # seconds the bot may take to work off the open loop's backlog


def phases(seconds: float) -> list[Phase]:
    made = [Phase("warm-up", WARM_UP[0], False, min(seconds, WARM_UP[1]))]
    for rate in LOADS:
        made += [
            Phase(f"{rate}/s", rate, False, seconds),
            Phase(f"{rate}/s + /stats all", rate, True, seconds),
        ]
    return made


async def open_loop(api: BenchApi, db: Database, pid: int, args: argparse.Namespace):
    """Play the mix through every phase; (the loop, what the actors shared, unanswered count)."""
    catalogue = load_catalogue(DEFAULT_CATALOGUE)
    cast = choose_cast(db, catalogue)
    loop = OpenLoop(api, Probes(api), cast.admin)
    shared, cast_actors = actors(api, loop, cast, catalogue)
    print(cast.describe(), flush=True)
    tasks = [asyncio.create_task(a.run()) for a in cast_actors]
    spy = None
    try:
        for phase in phases(args.seconds):
            if args.py_spy is not None and phase.name == args.py_spy_phase:
                spy = await botproc.py_spy(pid, args.py_spy, phase.seconds)
            meter = botproc.CpuMeter(pid, os.getpid())
            await loop.run(phase)
            phase.cpu = meter.cores()
            print(f"[phase {phase.name} done]", file=sys.stderr, flush=True)  # progress, for a stall
        unanswered = await loop.drain()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if spy is not None:
        await spy.wait()
    return loop, shared, unanswered


async def closed_rounds(api: BenchApi, echo_api: BenchApi, probes: list[FakeUser], pids, args):
    """Per round: (echo, sandan), each (replies per second, latencies in ms, cores the bot's process
    used, cores this one used)."""
    echo_users = [FakeUser(ECHO_ID + i, f"回声{i}") for i in range(len(probes))]
    turn = itertools.count()

    def sandan(user: FakeUser) -> asyncio.Future:
        return api.command_measured(user, COMMANDS[next(turn) % len(COMMANDS)])

    def echo(user: FakeUser) -> asyncio.Future:
        return echo_api.text_measured(user, "你好")

    async def measured(which: BenchApi, users: list[FakeUser], send, pid: int):
        meter = botproc.CpuMeter(pid, os.getpid())
        rate, latencies = await closed_loop(which, users, args.seconds, send)
        return rate, latencies, *meter.cores()

    results = []
    for _ in range(args.rounds):  # alternating, so that the machine's ups and downs fall on both
        echoed = await measured(echo_api, echo_users, echo, pids[1])
        await api.quiet(1.0, 10.0)
        results.append((echoed, await measured(api, probes, sandan, pids[0])))
    return results


def confirmed(db: Database, wishes: set[int]) -> int:
    from sqlalchemy import func, select

    from models import Wish

    with db.read() as s:
        return s.scalar(select(func.count()).where(Wish.id.in_(wishes), Wish.status == "confirmed")) or 0


async def run(args: argparse.Namespace, folder: Path, log: Path) -> None:
    async with BenchApi(token=botproc.TOKEN) as api, BenchApi(token=botproc.TOKEN) as echo_api:
        env = botproc.bot_env(api.base_url, f"sqlite:///{folder / 'bench.db'}")
        print(f"machine: {botproc.machine()}", flush=True)
        print(f"seed: {botproc.seed(env, args.scale, folder)}", flush=True)
        print(f"pre-sweep: {botproc.presweep(env)}", flush=True)
        started = time.perf_counter()
        bot = await botproc.start([sys.executable, "-m", "sandan.cli", "run"], env, folder, log)
        db = Database(env["DATABASE_URL"])
        processes: dict[str, asyncio.subprocess.Process] = {"sandan run": bot}
        try:
            await api.wait_for_call("getUpdates", timeout=START_TIMEOUT)
            first_poll = time.perf_counter() - started
            await api.quiet(2.0, 30.0)
            print_rss(bot.pid, first_poll, await botproc.idle_rss(bot.pid))
            shared = await watched(measure(api, echo_api, env, folder, log, processes, db, args), processes)
        finally:
            for process in processes.values():
                await botproc.stop(process)
        print(f"mix wishes confirmed (rated) in the database: {confirmed(db, shared.wishes)}")
        db.dispose()
        print(f"the bots' log (warnings and errors): {botproc.log_summary(log)}")
        print(f"machine at the end: {botproc.machine()}")


async def measure(api, echo_api, env, folder: Path, log: Path, processes: dict, db: Database, args):
    """The open loop, then the closed loops against the echo bot and Sandan; what the mix shared."""
    bot = processes["sandan run"]
    loop, shared, unanswered = await open_loop(api, db, bot.pid, args)
    after = botproc.rss_mb(bot.pid)
    print_open(loop, shared, unanswered)
    print(f"RSS of sandan run after the open loop (charts drawn): {after:.1f} MB", flush=True)
    # The closed loops must not share the machine with the open loop's backlog.
    behind = await loop.settle(SETTLE_LIMIT)
    await api.quiet(1.0, 15.0)
    if behind:
        print(f"(the bot still owed {behind} replies after {SETTLE_LIMIT:.0f} s more)", flush=True)
    echo_env = {**env, "TELEGRAM_API_BASE_URL": echo_api.base_url}
    echo_command = [sys.executable, str(ROOT / "bench" / "echo.py")]
    echo = processes["echo bot"] = await botproc.start(echo_command, echo_env, folder, log)
    await echo_api.wait_for_call("getUpdates", timeout=START_TIMEOUT)
    probes = [loop.probes.user() for _ in range(CLOSED_USERS)]
    print_closed(await closed_rounds(api, echo_api, probes, (bot.pid, echo.pid), args), args.seconds)
    return shared


async def watched(work, processes: dict[str, asyncio.subprocess.Process]):
    """`work`'s result, unless one of the processes ends first: then an error that says which."""
    task = asyncio.ensure_future(work)
    while not task.done():
        ended = [name for name, p in processes.items() if p.returncode is not None]
        if ended:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            raise RuntimeError(f"{ended[0]} ended early, with status {processes[ended[0]].returncode}")
        await asyncio.wait({task}, timeout=1.0)
    return task.result()


async def main(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="sandan-bench-bot-"))
    log = folder / "bot.log"
    # SIGTERM (a `timeout`, say) cancels the run like Ctrl-C, so that the bots are stopped too;
    # once: a second one (uv passes signals on) must not cut their stopping short.
    me, loop = asyncio.current_task(), asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: me.cancelling() or me.cancel())
    try:
        await run(args, folder, log)
    except BaseException:
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        print(f"--- the end of the bots' log ({log}):\n{tail}", flush=True)
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="district", choices=("district", "small"))
    parser.add_argument("--seconds", type=float, default=15, help="seconds per phase")
    parser.add_argument("--rounds", type=int, default=2, help="closed-loop rounds (echo, then Sandan)")
    parser.add_argument("--py-spy", type=Path, default=None, help="record the bot's CPU in one phase")
    parser.add_argument("--py-spy-phase", default="100/s + /stats all", help="the phase --py-spy records")
    try:
        asyncio.run(main(parser.parse_args()))
    except (asyncio.CancelledError, KeyboardInterrupt):
        sys.exit("stopped before the end")
