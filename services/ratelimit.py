"""Token buckets for Telegram's limits: ~30 messages a second overall, ~1 a second per chat."""

import time
from collections.abc import Callable


class TokenBucket:
    """`rate` tokens a second, holding at most `burst`; short bursts pass, long ones wait."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.stamp = burst, clock()
        self.blocked_until = 0.0

    def _refill(self) -> float:
        now = self.clock()
        since = max(self.stamp, min(self.blocked_until, now))  # nothing refills while blocked
        self.tokens = min(self.burst, self.tokens + (now - since) * self.rate)
        self.stamp = now
        return now

    def wait_time(self) -> float:
        """Seconds until one token is available (0 if one is available now)."""
        now = self._refill()
        if now < self.blocked_until:
            return self.blocked_until - now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self._refill()
        self.tokens -= 1

    def block(self, seconds: float, *, then: float = 0) -> None:
        """Send nothing for a while (Telegram said 429 retry_after), then `then` messages at once."""
        self.blocked_until = max(self.blocked_until, self.clock() + seconds)
        self.tokens = then

    @property
    def blocked(self) -> bool:
        return self.clock() < self.blocked_until


class ChatLimits:
    """One bucket per chat (keyed by user id), forgotten once full again so memory stays small."""

    def __init__(
        self, rate: float = 1.0, burst: float = 3.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[int, TokenBucket] = {}

    def bucket(self, chat_id: int) -> TokenBucket:
        if chat_id not in self._buckets:
            self._buckets[chat_id] = TokenBucket(self.rate, self.burst, self.clock)
        return self._buckets[chat_id]

    def hold(self, chat_id: int, seconds: float) -> None:
        """Telegram asked this chat to wait: nothing for `seconds`, then its next message."""
        self.bucket(chat_id).block(seconds, then=1)

    def busy(self) -> list[int]:
        """Chats that must wait before their next message."""
        return [key for key, bucket in self._buckets.items() if bucket.wait_time() > 0]

    def prune(self) -> None:
        full = [cid for cid, b in self._buckets.items() if b.wait_time() == 0 and b.tokens >= b.burst]
        for cid in full:
            del self._buckets[cid]
