"""The load generator's side of bench/bot.py: a fake Bot API that reports each reply the
moment it is made, the chats' buttons in order, the probe users, and the closed loop (users
who each wait for their reply). The open loop is bench/slots.py.

Everything here runs in the bench's own process and event loop; the bot runs in another.
"""

import asyncio
import contextlib
import itertools
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from sandan.fakebot import FakeBotApi, FakeUser

SENDS = ("sendMessage", "sendPhoto", "sendDocument")
EDITS = ("editMessageText", "editMessageReplyMarkup")
KEPT = 200  # touched messages remembered per chat: enough for a busy staff member's backlog
PROBE_ID = 8_000_000_000  # probe users' Telegram ids start here, above every seeded id
COMMANDS = ("/start", "/help")


@dataclass
class Sample:
    """One measured update: when it was injected, and when its own reply came (None: never)."""

    kind: str  # "button" (answerCallbackQuery) or "command" (a probe's first message)
    phase: int
    sent: float
    during_stats: bool
    replied: float | None = None

    @property
    def ms(self) -> float:
        """Milliseconds to the reply; infinite if none came before the run stopped waiting."""
        return math.inf if self.replied is None else (self.replied - self.sent) * 1000


class Board:
    """Which messages of each chat were sent or edited, in order, so an actor can wait for a
    button that appeared after its own last step (older messages keep stale buttons)."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self.gen = 0
        self._touched: dict[int, deque[tuple[int, int]]] = {}
        self._changed: dict[int, asyncio.Event] = {}

    def touch(self, chat: int, message_id: int) -> None:
        self.gen += 1
        self._touched.setdefault(chat, deque(maxlen=KEPT)).append((self.gen, message_id))
        event = self._changed.pop(chat, None)
        if event is not None:
            event.set()

    def messages(self, chat: int, after: int):
        """The chat's messages in their current state, newest change first, changed after `after`."""
        seen = set()
        for gen, message_id in reversed(self._touched.get(chat, ())):
            if gen <= after:
                return
            if message_id not in seen:
                seen.add(message_id)
                message = self.api.message(chat, message_id)
                if message is not None:
                    yield message

    def find(self, chat: int, after: int, want: Callable[[str, str], bool]) -> tuple[dict, str] | None:
        """(message, callback data) of the newest button `want(label, data)` accepts."""
        for message in self.messages(chat, after):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if want(button.get("text", ""), button.get("callback_data", "")):
                        return message, button["callback_data"]
        return None

    async def changed(self, chat: int, timeout: float) -> None:  # noqa: ASYNC109
        event = self._changed.setdefault(chat, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)


class BenchApi(FakeBotApi):
    """The fake Bot API, telling the bench the moment each reply is made.

    `answers` maps a callback query id to the future its answerCallbackQuery completes;
    `firsts` maps a chat to the future its next message completes (probe users only);
    `photos` the same for the next photo (the chart of /stats all).
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.board = Board(self)
        self.answers: dict[str, asyncio.Future] = {}
        self.firsts: dict[int, asyncio.Future] = {}
        self.photos: dict[int, asyncio.Future] = {}
        self.last_call = time.perf_counter()

    def _finish(self, call, error=None, result=None, *, recorded=False):
        response = super()._finish(call, error, result, recorded=recorded)
        if call.status == 200 and call.method != "getUpdates":
            now = self.last_call = time.perf_counter()
            self._observe(call.method, call.params, result, now)
        return response

    def _observe(self, method: str, params: dict, result, now: float) -> None:
        if method == "answerCallbackQuery":
            _done(self.answers.pop(str(params.get("callback_query_id")), None), now)
        elif method in SENDS and isinstance(result, dict):
            chat = result["chat"]["id"]
            self.board.touch(chat, result["message_id"])
            _done(self.firsts.pop(chat, None), now)
            if method == "sendPhoto":
                _done(self.photos.pop(chat, None), now)
        elif method in EDITS and params.get("message_id"):
            self.board.touch(params["chat_id"], int(params["message_id"]))

    def press_measured(self, user: FakeUser, message: dict, data: str) -> asyncio.Future:
        """Press a button; the future gets the time its answerCallbackQuery arrived."""
        update_id = self.press(user, message, data, strict=False)
        future = asyncio.get_running_loop().create_future()
        self.answers[self.update(update_id)["callback_query"]["id"]] = future
        return future

    def command_measured(self, user: FakeUser, command: str) -> asyncio.Future:
        """Send a command; the future gets the time the chat's next message arrived."""
        future = asyncio.get_running_loop().create_future()
        self.firsts[user.id] = future
        self.send_command(user, command)
        return future

    def text_measured(self, user: FakeUser, text: str) -> asyncio.Future:
        """Send a text; the future gets the time the chat's next message arrived."""
        future = asyncio.get_running_loop().create_future()
        self.firsts[user.id] = future
        self.send_text(user, text)
        return future

    async def quiet(self, seconds: float, limit: float) -> float:
        """Wait until the bot made no call but getUpdates for `seconds` (at most `limit`)."""
        started = time.perf_counter()
        # Polled: what ends the wait is the absence of calls, which no event announces.
        while time.perf_counter() - self.last_call < seconds and time.perf_counter() - started < limit:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        return time.perf_counter() - started


def _done(future: asyncio.Future | None, now: float) -> None:
    if future is not None and not future.done():
        future.set_result(now)


@dataclass
class Phase:
    name: str
    rate: float  # updates offered per second
    stats: bool  # an admin runs /stats all every few seconds
    seconds: float
    slots: int = 0
    mix: int = 0
    probes: int = 0
    stats_runs: list[float] = field(default_factory=list)  # seconds each /stats all took
    cycles: int = 0
    elapsed: float = 0.0
    cpu: tuple[float, float] = (0.0, 0.0)  # cores used by the bot's process and by this one


class Probes:
    """Users the mix never touches and who get no notifications: their first message after a
    command is its reply. Each has at most one command outstanding."""

    def __init__(self, api: BenchApi) -> None:
        self.api = api
        self.idle: deque[FakeUser] = deque()
        self._ids = itertools.count(PROBE_ID)
        self._turn = itertools.cycle(COMMANDS)

    def user(self) -> FakeUser:
        if self.idle:
            return self.idle.popleft()
        n = next(self._ids)
        return FakeUser(n, f"探针{n - PROBE_ID}")

    def send(self, user: FakeUser | None = None) -> tuple[FakeUser, asyncio.Future]:
        user = user or self.user()
        future = self.api.command_measured(user, next(self._turn))
        future.add_done_callback(lambda _f: self.idle.append(user))
        return user, future


def quantiles(values: list[float]) -> tuple[float, float, float] | None:
    """p50, p95, p99 by nearest rank, so that a missing reply (infinite) counts as the slowest
    rather than vanishing from the tail; None below 20 values."""
    if len(values) < 20:
        return None
    ordered = sorted(values)
    return tuple(ordered[max(0, math.ceil(p * len(ordered)) - 1)] for p in (0.50, 0.95, 0.99))


async def closed_loop(
    api: BenchApi, users: list[FakeUser], seconds: float, send: Callable[[FakeUser], asyncio.Future]
) -> tuple[float, list[float]]:
    """Each user sends, waits for its reply, sends again; (replies per second, latencies in ms)."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def one(user: FakeUser) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                replied = await asyncio.wait_for(send(user), timeout=30)
            except TimeoutError:
                api.firsts.pop(user.id, None)
                continue
            latencies.append((replied - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(one(u) for u in users))
    return len(latencies) / (time.perf_counter() - started), latencies
