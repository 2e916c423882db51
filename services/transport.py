"""What the outbox sender asks of a transport (the bot adapter), and what a transport may raise."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass


class RetryAfter(Exception):
    """Telegram asked us to wait (HTTP 429)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class Unreachable(Exception):
    """The user blocked the bot or deleted their account (HTTP 403)."""


class Transient(Exception):
    """A network error or a server error; worth trying again later."""


@dataclass(frozen=True)
class Delivery:
    """What the transport needs to send one notification."""

    outbox_id: int
    telegram_id: int
    language: str
    key: str
    params: dict
    wish_id: int | None


Deliver = Callable[[Delivery], Awaitable[None]]
