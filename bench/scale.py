"""Throughput and latency with 1, 2 and 3 instances on one PostgreSQL, side by side in one run.

    uv run python bench/scale.py [--seconds 10] [--rounds 2] [--users 200] [--pg postgresql://...]

Creates a fresh PostgreSQL database (dropped at the end) on the local server, then, for each
instance count in turn (1, 2, 3; --rounds times over, so that the machine's ups and downs
fall on all of them), starts that many `sandan run --webhook` behind a round-robin proxy on
loopback (sandan/fakebot/proxy.py) and runs a closed loop: each of --users probe users sends
/start or /help and waits for the reply before the next. Prints, per instance count, the
replies per second and p50/p95/p99 from each update to its reply, medians of the rounds, and
each count's throughput over one instance's. Figures, not verdicts: on a machine with fewer
cores than instances plus the database, the instances share the same CPUs.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from sqlalchemy import create_engine, text  # noqa: E402

from bench import botproc  # noqa: E402
from bench.load import COMMANDS, BenchApi, closed_loop, quantiles  # noqa: E402
from sandan.fakebot import FakeUser  # noqa: E402
from sandan.fakebot.proxy import RoundRobinProxy, free_port  # noqa: E402
from sandan.migrate import upgrade  # noqa: E402
from services.db import Database  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432/test"
COUNTS = (1, 2, 3)
PATH = "/telegram/updates"
SECRET = "bench-scale-secret"
START_TIMEOUT = 60.0


def _admin(pg: str, sql: str) -> None:
    engine = create_engine(
        pg.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


async def one_run(api: BenchApi, url: str, count: int, users: list[FakeUser], args, folder: Path):
    """`count` instances behind a proxy for one closed loop; (replies per second, latencies)."""
    ports = [free_port() for _ in range(count)]
    procs = []
    async with RoundRobinProxy(ports, PATH) as proxy:
        try:
            for port in ports:
                env = botproc.bot_env(api.base_url, url) | {
                    "WEBHOOK_URL": proxy.url,
                    "WEBHOOK_SECRET": SECRET,
                    "HTTP_PORT": str(port),
                }
                command = [sys.executable, "-m", "sandan.cli", "run", "--webhook"]
                procs.append(await botproc.start(command, env, folder, folder / "sandan.log"))
            calls = len(api.calls("setWebhook"))
            await api.wait_for(lambda: len(api.calls("setWebhook")) >= calls + count, timeout=START_TIMEOUT)
            await asyncio.sleep(1.0)  # every instance past its start-up
            turn = iter(range(10**9))

            def send(user: FakeUser):
                return api.command_measured(user, COMMANDS[next(turn) % len(COMMANDS)])

            cpu, wall = time.process_time(), time.perf_counter()
            rate, latencies = await closed_loop(api, users, args.seconds, send)
            # This process is the fake Telegram, the proxy and the users: near 100%, it sets the pace.
            return rate, latencies, (time.process_time() - cpu) / (time.perf_counter() - wall)
        finally:
            for proc in procs:
                await botproc.stop(proc)


async def run(args) -> None:
    name = f"sandan_scale_{uuid.uuid4().hex[:8]}"
    base = args.pg.rsplit("/", 1)[0]
    _admin(args.pg, f'CREATE DATABASE "{name}"')
    url = f"{base}/{name}"
    try:
        db = Database(url)
        upgrade(db)
        db.dispose()
        users = [FakeUser(9_000_000 + i, f"用户{i}", language_code="en") for i in range(args.users)]
        results: dict[int, list[tuple[float, list[float], float]]] = {n: [] for n in COUNTS}
        with tempfile.TemporaryDirectory(prefix="sandan-scale-") as folder:
            async with BenchApi(token=botproc.TOKEN) as api:
                for r in range(args.rounds):
                    for n in COUNTS:
                        rate, latencies, load = await one_run(api, url, n, users, args, Path(folder))
                        results[n].append((rate, latencies, load))
                        print(f"round {r + 1}, {n} instance(s): {rate:.0f} replies/s", flush=True)
    finally:
        _admin(args.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print()
    head = f"{'instances':>9} {'replies/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'vs one':>7}"
    print(head + f" {'load CPU':>9}")
    one = statistics.median(rate for rate, _, _ in results[1])
    for n in COUNTS:
        rate = statistics.median(r for r, _, _ in results[n])
        p50, p95, p99 = quantiles([ms for _, lat, _ in results[n] for ms in lat]) or (0, 0, 0)
        load = statistics.median(cpu for _, _, cpu in results[n])
        print(f"{n:>9} {rate:>10.0f} {p50:>8.0f} {p95:>8.0f} {p99:>8.0f} {rate / one:>7.2f} {load:>8.0%}")
    print()
    runs = f"{args.seconds:.0f} s per run, medians of {args.rounds} rounds"
    print(f"{args.users} users in a closed loop for {runs};")
    print("latencies from all rounds together. load CPU: this process (the fake Telegram, the proxy")
    print(f"and the users); near 100%, it sets the pace, not the instances. {botproc.machine()}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--pg", default=PG, help="a database on the server to create the bench's own from")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
