"""Fault injection (errors, dropped connections, a blocked user) and rate limiting.
A mixin of FakeBotApi."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass

from sandan.fakebot.types import JSONDict


@dataclass
class Fault:
    """One injected fault, as fail_next() queued it."""

    method: str  # canonical lower-case method name, or "*"
    status: int
    description: str
    retry_after: int | None
    chat_id: int | str | None
    remaining: int | None  # None: until cleared
    drop: bool


# Calls counted by rate_limit(): anything that puts or changes a message in a chat.
_RATE_LIMITED_PREFIXES = ("send", "edit", "copymessage", "forwardmessage")

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class Faults:
    """Mixin of FakeBotApi: injected faults and per-second limits, checked before each method."""

    def _init_faults(self) -> None:
        """No faults, no rate limits."""
        self._faults: list[Fault] = []
        self._limit_global: int | None = None
        self._limit_chat: int | None = None
        self._recent_global: deque[float] = deque()
        self._recent_chat: dict[int | str, deque[float]] = {}

    def fail_next(
        self,
        method: str = "*",
        status: int = 429,
        *,
        retry_after: int | None = None,
        count: int | None = 1,
        description: str | None = None,
        chat_id: int | str | None = None,
        drop: bool = False,
    ) -> None:
        """Make the next ``count`` calls of ``method`` ("*" = any) fail (``count=None``: until cleared).

        ``status`` picks the Bot API error (429 gets ``retry_after``, default 1); ``chat_id``
        restricts the fault to calls for that chat; ``drop=True`` closes the connection without an
        answer instead (the client sees a network error).
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        desc = description or _DEFAULT_DESCRIPTIONS.get(status, "Error").format(retry_after=retry_after)
        self._faults.append(
            Fault(
                method=method.lower(),
                status=status,
                description=desc,
                retry_after=retry_after,
                chat_id=chat_id,
                remaining=count,
                drop=drop,
            )
        )

    def drop_next(self, method: str = "*", count: int | None = 1, chat_id: int | str | None = None) -> None:
        """Close the connection without answering the next ``count`` calls of ``method``."""
        self.fail_next(method, 0, count=count, chat_id=chat_id, drop=True)

    def block(self, chat_id: int | str) -> None:
        """The user blocked the bot: every call for ``chat_id`` answers 403 until ``clear_faults``."""
        self.fail_next("*", 403, chat_id=chat_id, count=None)

    def clear_faults(self) -> None:
        """Remove all pending injected faults."""
        self._faults.clear()

    def rate_limit(self, per_second_global: int | None = 30, per_chat_per_second: int | None = 1) -> None:
        """Answer 429 (with retry_after) when sends/edits exceed these per-second limits.

        Only calls that put or change messages in a chat count. ``None`` disables one limit;
        ``rate_limit(None, None)`` switches rate limiting off.
        """
        self._limit_global = per_second_global
        self._limit_chat = per_chat_per_second
        self._recent_global.clear()
        self._recent_chat.clear()

    def _take_fault(self, method: str, params: JSONDict) -> Fault | None:
        for fault in self._faults:
            if fault.method not in ("*", method.lower()):
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
            return fault
        return None

    def _check_rate_limit(self, method: str, params: JSONDict) -> int | None:
        if self._limit_global is None and self._limit_chat is None:
            return None
        if not method.lower().startswith(_RATE_LIMITED_PREFIXES) or method == "sendChatAction":
            return None
        now = time.monotonic()
        chat_id = params.get("chat_id")
        windows: list[tuple[deque[float], int]] = []
        if self._limit_global is not None:
            windows.append((self._recent_global, self._limit_global))
        if self._limit_chat is not None and chat_id is not None:
            windows.append((self._recent_chat.setdefault(chat_id, deque()), self._limit_chat))
        wait = 0.0
        for window, limit in windows:
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                wait = max(wait, window[0] + 1.0 - now)
        if wait > 0:
            return max(1, math.ceil(wait))
        for window, _ in windows:
            window.append(now)
        return None
