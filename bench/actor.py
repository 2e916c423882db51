"""What every actor of bench/mix.py does: wait for a slot of the open loop (bench/slots.py),
inject an update, and wait for the buttons of the reply, as a person does.

A button an actor looks for must have appeared or changed after its own last update
(bench/load.py's Board keeps the order). Buttons are told apart by their Chinese label and
by the verb and ids of their callback data (``verb:id:id~signature``, bot/flows/callbacks.py),
so a notification about another wish is never pressed by mistake.
"""

import asyncio
import re
import time
from collections import Counter
from collections.abc import Callable

from bench.load import BenchApi
from bench.slots import OpenLoop
from sandan.fakebot import FakeUser

STEP_TIMEOUT = 30.0  # seconds an actor waits for a reply before it gives up that piece of work
NUMBER = re.compile(r"[A-Z0-9]+-\d{4,}")


def callback(data: str) -> tuple[str, tuple[int, ...]]:
    """The verb and ids of a button's callback data."""
    verb, *ids = data.rpartition("~")[0].split(":")
    return verb, tuple(int(i) for i in ids if i.isdigit())


def button(verb: str, *, label: str | None = None, wish: int | None = None, among=None):
    """A matcher for Board.find: this verb, and optionally this label, wish id, or wish ids."""

    def want(text: str, data: str) -> bool:
        v, ids = callback(data)
        return (
            v == verb
            and (label is None or label in text)
            and (wish is None or ids[:1] == (wish,))
            and (among is None or (ids and ids[0] in among))
        )

    return want


class Shared:
    """What the actors know between them: the mix's wishes, by number and by id."""

    def __init__(self) -> None:
        self.owner: dict[str, Actor] = {}  # wish number -> the resident who posted it
        self.wishes: set[int] = set()  # ids of the mix's wishes, learnt when staff accept them
        self.wall: dict[int, set[int]] = {}  # branch -> wish ids on the wall, not yet claimed
        self.count: Counter[str] = Counter()


class Actor:
    role = ""

    def __init__(self, api: BenchApi, loop: OpenLoop, shared: Shared, user: FakeUser) -> None:
        self.api, self.loop, self.shared, self.user = api, loop, shared, user
        self.chat = user.id

    async def _turn(self, act, start: bool) -> tuple[asyncio.Future | None, int]:
        return await self.loop.turn(self.role, act, start=start)

    async def press(self, found: tuple[dict, str], *, start: bool = False) -> int | None:
        """Press a found button at this actor's next slot; the board's mark, once it was answered.

        `start`: the press begins a piece of work (see bench/slots.py).
        """
        message, data = found

        def act():
            return self.api.press_measured(self.user, message, data), self.api.board.gen

        reply, mark = await self._turn(act, start)
        try:
            await asyncio.wait_for(asyncio.shield(reply), STEP_TIMEOUT)
        except TimeoutError:
            self.shared.count["timeouts"] += 1
            return None
        return mark

    async def say(self, text: str, *, start: bool = False) -> int:
        """Send a text (or a command) at the next slot; the board's mark at that moment."""

        def act():
            (self.api.send_command if text.startswith("/") else self.api.send_text)(self.user, text)
            return None, self.api.board.gen

        return (await self._turn(act, start))[1]

    async def expect(self, after: int | None, want: Callable[[str, str], bool]) -> tuple[dict, str] | None:
        """The newest wanted button changed after `after`, once it appears (None: not in time)."""
        if after is None:
            return None
        deadline = time.perf_counter() + STEP_TIMEOUT
        while (found := self.api.board.find(self.chat, after, want)) is None:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                self.shared.count["timeouts"] += 1
                return None
            await self.api.board.changed(self.chat, remaining)
        return found

    async def expect_text(self, after: int, part: str) -> dict | None:
        deadline = time.perf_counter() + STEP_TIMEOUT
        while True:
            for message in self.api.board.messages(self.chat, after):
                if part in (message.get("text") or ""):
                    return message
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                self.shared.count["timeouts"] += 1
                return None
            await self.api.board.changed(self.chat, remaining)

    async def steps(self, first: tuple[dict, str], *wants, start: bool = False) -> int | None:
        """Press `first`, then each wanted button as it appears; the mark after the last press."""
        mark = await self.press(first, start=start)
        for want in wants:
            found = await self.expect(mark, want)
            if found is None:
                return None
            mark = await self.press(found)
        return mark
