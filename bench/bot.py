"""Throughput and latency of the real bot against the fake Bot API, beside a bare PTB echo bot.

Both run in this one process, against the same kind of fake server, with 200
simulated users in a closed loop: each user sends an update, waits for the
bot's first reply to it, then sends the next. A user taps a button once the
bot has shown it. Sandan's mix: residents post wishes (five updates each) or
look at theirs, staff triage the newest wish and put it on the wall, members
look at the wall (and claim what is on it), their tasks or their record.

Prints updates per second, the p50/p95 time from update to first reply, and
Sandan's share of the echo bot's throughput (target: at least 0.5). The echo
bot runs twice: as PTB comes (httpx), and on Sandan's aiohttp backend. Each
bot runs ROUNDS times, alternating, and the medians are reported.

    uv run python bench/bot.py [--seconds 8] [--rounds 3]
"""

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

# Run as a script, this file's folder comes first on sys.path, and this file
# (bot.py) would hide the `bot` package it measures.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from sqlalchemy import delete, func, select  # noqa: E402
from telegram.ext import MessageHandler, filters  # noqa: E402

from bot.flows.callbacks import CallbackCodec  # noqa: E402
from bot.flows.context import Deps  # noqa: E402
from bot.ptb.aiohttp_request import with_aiohttp  # noqa: E402
from bot.ptb.app import SandanBot  # noqa: E402
from models import Outbox, Wish  # noqa: E402
from sandan.fakebot import FakeBotApi, FakeUser  # noqa: E402
from sandan.migrate import upgrade  # noqa: E402
from sandan.settings import DEFAULT_CATALOGUE  # noqa: E402
from services import people  # noqa: E402
from services.branches import add_branch, add_staff, grids_of  # noqa: E402
from services.catalogue import load_catalogue  # noqa: E402
from services.db import Database  # noqa: E402
from services.wishes import Limits  # noqa: E402

USERS = 200
REPLIES = {"sendMessage", "editMessageText", "answerCallbackQuery", "sendPhoto", "sendDocument"}


class Driver:
    """Closed-loop users: send, wait for the first reply, repeat until time is up."""

    def __init__(self, api: FakeBotApi, users: list[FakeUser]) -> None:
        self.api, self.users = api, users
        self.waiting: dict[int, tuple[float, asyncio.Future]] = {}
        self.latencies: list[float] = []
        self.done = 0

    def _reply_chat(self, call) -> int | None:
        if call.method == "answerCallbackQuery":
            query = self.api.callback_queries.get(str(call.params.get("callback_query_id")))
            return query["from"]["id"] if query else None
        return call.chat_id if call.method in REPLIES else None

    async def watch(self, stop: asyncio.Event) -> None:
        seen = len(self.api.calls())
        while not stop.is_set():
            new = self.api.calls_from(seen)
            seen += len(new)
            for call in new:
                pending = self.waiting.pop(self._reply_chat(call), None)
                if pending and not pending[1].done():
                    self.latencies.append(time.perf_counter() - pending[0])
                    pending[1].set_result(None)
            await asyncio.sleep(0.002)

    async def send(self, user: FakeUser, inject) -> None:
        future = asyncio.get_running_loop().create_future()
        self.waiting[user.id] = (time.perf_counter(), future)
        inject()
        await asyncio.wait_for(future, timeout=60)
        self.done += 1

    async def run(self, act, seconds: float) -> tuple[float, ...]:
        """Updates per second, p50 and p95 latency in ms, and Bot API calls per update."""
        stop = asyncio.Event()
        watcher = asyncio.create_task(self.watch(stop))
        start = time.perf_counter()
        deadline = start + seconds

        async def user_loop(user: FakeUser) -> None:
            while time.perf_counter() < deadline:
                await act(self, user)

        await asyncio.gather(*(user_loop(u) for u in self.users))
        elapsed = time.perf_counter() - start
        stop.set()
        await watcher
        q = statistics.quantiles(self.latencies, n=20)
        api_calls = sum(1 for c in self.api.calls() if c.method != "getUpdates")
        return (
            self.done / elapsed,
            statistics.median(self.latencies) * 1000,
            q[18] * 1000,
            api_calls / self.done,
        )


async def echo_round(seconds: float, *, aiohttp: bool = False) -> tuple[float, ...]:
    """The bare PTB echo bot; `aiohttp` gives it Sandan's HTTP backend instead of PTB's httpx."""
    async with FakeBotApi() as api:
        builder = api.application_builder()
        app = (with_aiohttp(builder) if aiohttp else builder).build()

        async def echo(update, _context):
            await update.message.reply_text(update.message.text)

        app.add_handler(MessageHandler(filters.TEXT, echo))
        users = [FakeUser(10_000 + i, f"u{i}") for i in range(USERS)]

        async def act(d: Driver, user: FakeUser) -> None:
            await d.send(user, lambda: api.send_text(user, "你好"))

        async with api.polling(app):
            return await Driver(api, users).run(act, seconds)


async def _people(db: Database, catalogue) -> tuple[list[FakeUser], list[FakeUser], list[FakeUser]]:
    residents = [FakeUser(20_000 + i, f"居民{i}") for i in range(152)]
    members = [FakeUser(30_000 + i, f"党员{i}") for i in range(45)]
    staff = [FakeUser(40_000 + i, f"社工{i}") for i in range(3)]
    async with db.write() as s:
        branch = await add_branch(s, code="A", name="幸福社区", grids=["一网格", "二网格"])
        grid = (await grids_of(s, branch.id))[0]
        staff_ids = [(await add_staff(s, telegram_id=u.id, branch_code="A")).id for u in staff]
        for u in residents:
            user = await people.ensure_user(s, telegram_id=u.id, display_name=u.first_name)
            await people.register_resident(
                s,
                actor_id=user.id,
                name=u.first_name,
                phone="13812341234",
                branch_id=branch.id,
                grid_id=grid.id,
                address=people.Address("幸福小区", "3栋", "", "502"),
            )
        for u in members:
            user = await people.ensure_user(s, telegram_id=u.id, display_name=u.first_name)
            await people.register_member(
                s,
                actor_id=user.id,
                catalogue=catalogue,
                name=u.first_name,
                phone="13900001111",
                branch_id=branch.id,
                grid_id=grid.id,
                work_unit="区税务局",
                skills=["repair"],
                availability=["weekend"],
            )
            await people.decide_member(s, actor_id=staff_ids[0], member_user_id=user.id, approve=True)
        await s.execute(delete(Outbox))  # the setup's own notices are not part of the mix
    return residents, members, staff


async def _press(api: FakeBotApi, user: FakeUser, label: str, wait: float = 2.0, skip: int = 0):
    """A press of the newest button containing `label` (passing over `skip` of them), once the
    bot shows it; None if it doesn't.

    A user taps a button only once it appears, and the bot may show it a moment after the
    first reply (the answer to the previous tap) that ended the previous update's timing.
    """
    deadline = time.perf_counter() + wait
    while (found := api.find_button(user.id, label, skip=skip)) is None:
        if time.perf_counter() > deadline:
            return None
        await asyncio.sleep(0.01)
    message, data = found
    return lambda: api.press(user, message, data, strict=False)


async def _tap_through(
    d: "Driver", api: FakeBotApi, user: FakeUser, labels: tuple[str, ...], wait: float = 2.0, skip: int = 0
) -> None:
    """Press each button in turn, as a user does; give up where one doesn't appear.

    `skip` passes over some of the first button's newest copies (several staff see each new wish).
    """
    for i, label in enumerate(labels):
        press = await _press(api, user, label, wait, skip if i == 0 else 0)
        if press is None:
            return
        await d.send(user, press)


async def sandan_round(seconds: float) -> tuple[float, ...]:
    catalogue = load_catalogue(DEFAULT_CATALOGUE)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}")
        await upgrade(db)
        residents, members, staff = await _people(db, catalogue)
        roles = {u.id: "resident" for u in residents} | {u.id: "member" for u in members}
        roles |= {u.id: "staff" for u in staff}
        staff_rank = {u.id: i for i, u in enumerate(staff)}
        async with FakeBotApi() as api:
            deps = Deps(
                db, catalogue, Limits(max_open_wishes=1000), ZoneInfo("Asia/Shanghai"), CallbackCodec(b"b")
            )
            bot = SandanBot(deps, token=api.token, api_root=api.base_url)
            stop = asyncio.Event()
            running = asyncio.create_task(bot.run(stop))
            await api.wait_for_call("getUpdates")

            async def act(d: Driver, user: FakeUser) -> None:
                role = roles[user.id]
                if role == "resident" and rng.random() < 0.6:  # post a wish: five updates
                    await d.send(user, lambda: api.send_text(user, "📝 我要点单"))
                    await _tap_through(d, api, user, ("维修疏通",))
                    await d.send(user, lambda: api.send_text(user, "水龙头漏水，麻烦帮忙看看"))
                    await _tap_through(d, api, user, ("尽快", "提交"))
                elif role == "resident":
                    await d.send(user, lambda: api.send_text(user, rng.choice(["📋 我的心愿", "/help"])))
                elif role == "member":
                    command = rng.choice(["/wall", "/me", "/mytasks"])
                    await d.send(user, lambda: api.send_command(user, command))
                    if command == "/wall":
                        await _tap_through(d, api, user, ("认领",), wait=0)  # the reply has them
                else:  # triage the newest wish and post it on the wall
                    await d.send(user, lambda: api.send_command(user, "/queue"))
                    labels = ("✅ 受理", "维修疏通", "普通", "派单", "发布到心愿墙")
                    await _tap_through(d, api, user, labels, skip=staff_rank[user.id])

            try:
                measured = await Driver(api, [*residents, *members, *staff]).run(act, seconds)
            finally:
                stop.set()
                await running
            async with db.read() as s:
                posted = await s.scalar(select(func.count()).select_from(Wish))
                triaged = await s.scalar(select(func.count()).where(Wish.triaged_at.is_not(None)))
            await db.dispose()
            return (*measured, posted, triaged)


async def main(seconds: float, rounds: int) -> None:
    results: dict[str, list] = {"echo bot": [], "echo bot, aiohttp": [], "sandan": []}
    for _ in range(rounds):  # alternating, so that the machine's load falls on all alike
        results["echo bot"].append(await echo_round(seconds))
        results["echo bot, aiohttp"].append(await echo_round(seconds, aiohttp=True))
        results["sandan"].append(await sandan_round(seconds))
    for name, runs in results.items():
        rate, p50, p95, calls = (statistics.median(r[i] for r in runs) for i in range(4))
        print(
            f"{name:17s} {rate:8.1f} updates/s   p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   "
            f"{calls:4.1f} Bot API calls/update   (median of {rounds})"
        )
    posted = statistics.median(r[4] for r in results["sandan"])
    triaged = statistics.median(r[5] for r in results["sandan"])
    print(f"sandan per round: {posted:.0f} wishes posted, {triaged:.0f} triaged and put on the wall (median)")
    for name, target in (("echo bot", " (target >= 0.50)"), ("echo bot, aiohttp", "")):
        ratios = [s[0] / e[0] for e, s in zip(results[name], results["sandan"], strict=True)]
        print(
            f"sandan / {name}: {statistics.median(ratios):.2f}{target} "
            f"(per round: {', '.join(f'{r:.2f}' for r in ratios)})"
        )
    print(
        "The echo bot is PTB as it comes, on httpx; Sandan sends through aiohttp "
        "(bot/ptb/aiohttp_request.py). The second echo bot shares that backend, to show Sandan's own cost."
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.rounds))
