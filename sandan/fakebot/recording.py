"""What the bot did: recorded calls and sent messages, and waiting for them with a deadline.
A mixin of FakeBotApi."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections import Counter
from collections.abc import Callable
from typing import Any

from sandan.fakebot.types import Call, JSONDict, short


class Recording:
    """Mixin of FakeBotApi: the recorded traffic, queries on it, and bounded waits."""

    def _init_recording(self) -> None:
        """Nothing recorded yet."""
        self._calls: list[Call] = []
        self._sent: list[JSONDict] = []
        self._sent_to: dict[int | str, list[JSONDict]] = {}  # the same, per chat, for quick lookups
        self.status_counts: Counter[int] = Counter()
        self.rate_limited_count = 0
        self._activity = asyncio.Event()

    def calls(self, method: str | None = None, chat_id: int | str | None = None) -> list[Call]:
        """Recorded calls, oldest first, optionally only one method and/or one chat."""
        wanted = self._canonical(method) if method else None
        return [
            c
            for c in self._calls
            if (wanted is None or c.method == wanted) and (chat_id is None or c.chat_id == chat_id)
        ]

    def _record_sent(self, message: JSONDict) -> None:
        self._sent.append(message)
        self._sent_to.setdefault(message["chat"]["id"], []).append(message)

    def calls_from(self, index: int) -> list[Call]:
        """Calls recorded since `index` (the length of an earlier `calls()`), cheaply."""
        return self._calls[index:]

    def sent_messages(self, chat_id: int | str | None = None) -> list[JSONDict]:
        """Messages the bot sent successfully (as returned to it), oldest first."""
        return list(self._sent if chat_id is None else self._sent_to.get(chat_id, []))

    def last_message(self, chat_id: int | str) -> JSONDict | None:
        """The last message the bot sent to ``chat_id``, edits applied; ``None`` if none."""
        sent = self.sent_messages(chat_id)
        if not sent:
            return None
        return self.message(chat_id, sent[-1]["message_id"]) or sent[-1]

    def clear(self) -> None:
        """Forget recorded calls, sent messages and counters (chat state and updates stay)."""
        self._calls.clear()
        self._sent.clear()
        self._sent_to.clear()
        self.status_counts.clear()
        self.rate_limited_count = 0

    @property
    def count_429(self) -> int:
        """How many 429 Too Many Requests answers were given (injected or rate limiting)."""
        return self.status_counts[429]

    async def wait_for(self, predicate: Callable[..., Any], timeout: float = 5.0) -> Any:  # noqa: ASYNC109
        """Wait until ``predicate()`` or ``predicate(api)`` is truthy; return its value.

        Raises AssertionError with a dump of recent calls when ``timeout`` passes.
        """
        try:
            wants_api = bool(inspect.signature(predicate).parameters)
        except (TypeError, ValueError):
            wants_api = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._activity.clear()
            value = predicate(self) if wants_api else predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                raise AssertionError(f"wait_for timed out after {timeout}s\n{self.dump()}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._activity.wait(), min(remaining, 0.05))

    async def wait_for_messages(self, chat_id: int | str, n: int = 1, timeout: float = 5.0) -> list[JSONDict]:  # noqa: ASYNC109
        """Wait until the bot has sent at least ``n`` messages to ``chat_id`` (since clear())."""
        try:
            return await self.wait_for(
                lambda: len(self.sent_messages(chat_id)) >= n and self.sent_messages(chat_id), timeout
            )
        except AssertionError as exc:
            got = len(self.sent_messages(chat_id))
            raise AssertionError(f"expected {n} message(s) to chat {chat_id}, got {got}\n{exc}") from None

    async def wait_for_call(
        self,
        method: str,
        chat_id: int | str | None = None,
        n: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Call:
        """Wait until ``method`` was called ``n`` times (optionally for ``chat_id``); return the n-th call."""
        calls = await self.wait_for(
            lambda: len(self.calls(method, chat_id)) >= n and self.calls(method, chat_id), timeout
        )
        return calls[n - 1]

    async def wait_confirmed(self, update_id: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed ``update_id`` (called getUpdates with a higher offset)."""
        await self.wait_for(lambda: self._confirmed_below > update_id, timeout)

    async def wait_all_confirmed(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has confirmed every update injected so far."""
        await self.wait_for(lambda: not self._pending and not self._redeliver, timeout)

    def dump(self, last: int = 30) -> str:
        """Human-readable summary of recent calls and pending updates (for failure messages).

        Successful getUpdates polls are only counted, so they don't drown the interesting calls.
        """
        polls = [c for c in self._calls if c.method == "getUpdates" and c.ok]
        shown = [c for c in self._calls if not (c.method == "getUpdates" and c.ok)][-last:]
        lines = [
            f"recorded calls: {len(self._calls)} ({len(polls)} getUpdates polls not shown); last {last}:"
        ]
        for c in shown:
            desc = "" if c.ok else f" -> {(c.response or {}).get('description', '')}"
            lines.append(f"  {c.method} [{c.status}]{desc} {short(c.params, 200)}")
        lines.append(
            f"sent messages: {[(m['chat']['id'], m.get('text', '<media>')) for m in self._sent[-10:]]}"
        )
        lines.append(f"pending updates: {[u['update_id'] for u in self._pending]}")
        lines.append(f"confirmed below: {self._confirmed_below}")
        return "\n".join(lines)

    def _record(self, call: Call) -> None:
        self._calls.append(call)
        self._activity.set()
