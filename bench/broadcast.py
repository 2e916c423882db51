"""A broadcast to 20,000 members, queued and delivered by the real OutboxSender on SQLite.

    uv run python bench/broadcast.py [--members 20000] [--rounds 3] [--seconds 20] [--latency-ms 0]

1. Builds a temporary SQLite file with one branch, its staff and `--members` approved members.
2. Times queueing the broadcast (services.broadcasts.create_broadcast: one INSERT … SELECT) on a
   fresh copy of the file, `--rounds` times.
3. Runs the sender at Telegram's limits (30 a second, burst 5; 1 a second per chat) with the
   real clock for `--seconds`, against an in-process transport that answers after
   `--latency-ms` (no network), and projects the whole broadcast from the sustained rate.
4. Runs it again with the limits lifted until the outbox is empty: the headroom.
Prints figures beside the 11-minute target, not pass/fail, and removes the files.
"""

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.core import sqlite_url  # noqa: E402
from models import Audience  # noqa: E402
from sandan.migrate import upgrade  # noqa: E402
from services.branches import add_branch, add_staff  # noqa: E402
from services.broadcasts import create_broadcast  # noqa: E402
from services.db import Database  # noqa: E402
from services.delivery import OutboxSender  # noqa: E402
from services.transport import Delivery  # noqa: E402
from tests.factories import add_members  # noqa: E402

TARGET_S = 11 * 60
STAFF_TELEGRAM_ID = 1
LIFTED = {"rate": 1e9, "burst": 1e9, "per_chat_rate": 1e9, "per_chat_burst": 1e9}


def build(path: Path, members: int) -> tuple[int, int]:
    """The template file; returns the branch's id and its staff member's user id."""
    db = Database(sqlite_url(path))
    upgrade(db)
    with db.write() as s:
        branch = add_branch(s, code="A", name="幸福社区", grids=["一网格"])
        staff = add_staff(s, telegram_id=STAFF_TELEGRAM_ID, branch_code="A")
        add_members(s, branch.id, list(range(100_000, 100_000 + members)))
    db.dispose()
    return branch.id, staff.id


def queue_once(path: Path, branch_id: int, staff_id: int) -> tuple[float, int]:
    db = Database(sqlite_url(path))
    started = time.perf_counter()
    with db.write() as s:
        sent = create_broadcast(
            s,
            actor_id=staff_id,
            branch_id=branch_id,
            audience=Audience.members,
            text="周六上午停水，请提前储水。",
        )
    elapsed = time.perf_counter() - started
    db.dispose()
    return elapsed, sent.recipients


class Transport:
    """Counts deliveries; each one takes `latency` seconds, as a call to Telegram would."""

    def __init__(self, latency: float) -> None:
        self.latency, self.count = latency, 0

    async def __call__(self, _item: Delivery) -> None:
        await asyncio.sleep(self.latency)
        self.count += 1


async def deliver(
    path: Path, *, latency: float, seconds: float, until: int, **limits
) -> tuple[int, float, list[int]]:
    """(messages, elapsed seconds, messages in each whole second) for one run of the sender."""
    db, transport, stop = Database(sqlite_url(path)), Transport(latency), asyncio.Event()
    sender = OutboxSender(db, transport, **limits)
    per_second, started = [], time.perf_counter()

    async def watch() -> None:
        last = 0
        while time.perf_counter() - started < seconds and transport.count < until:
            await asyncio.sleep(1)
            per_second.append(transport.count - last)
            last = transport.count
        stop.set()

    await asyncio.gather(sender.run_forever(stop, idle=0.05), watch())
    elapsed = time.perf_counter() - started
    sender.pool.shutdown()
    db.dispose()
    return transport.count, elapsed, per_second


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--latency-ms", type=float, default=0)
    opts = parser.parse_args()
    latency = opts.latency_ms / 1000
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.db"
        branch_id, staff_id = build(template, opts.members)
        print(f"{opts.members} approved members; transport latency {opts.latency_ms:g} ms")

        def fresh(name: str) -> tuple[Path, float, int]:
            """A copy of the template with the broadcast just queued, and how long queueing took."""
            path = Path(tmp) / name
            shutil.copy(template, path)
            return path, *queue_once(path, branch_id, staff_id)

        queued = [fresh(f"queue{i}.db") for i in range(opts.rounds)]
        recipients = queued[0][2]
        median_ms = statistics.median(q[1] for q in queued) * 1000
        print(f"queue {recipients} rows:    median {median_ms:.0f} ms over {opts.rounds} rounds")

        sent, elapsed, per_second = await deliver(
            queued[0][0], latency=latency, seconds=opts.seconds, until=recipients
        )
        rate = sent / elapsed
        print(
            f"at the limits (30/s): {sent} in {elapsed:.1f} s = {rate:.1f}/s "
            f"(per second: median {statistics.median(per_second):.0f}, min {min(per_second)})"
        )
        projected = recipients / rate / 60
        print(f"projected {recipients}:   {projected:.1f} min (target about {TARGET_S / 60:.0f} min)")

        lifted, _, _ = fresh("lifted.db")
        sent, elapsed, _ = await deliver(lifted, latency=latency, seconds=600, until=recipients, **LIFTED)
        print(f"limits lifted:        {sent} in {elapsed:.1f} s = {sent / elapsed:.0f}/s (headroom)")


if __name__ == "__main__":
    asyncio.run(main())
