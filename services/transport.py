"""What the outbox sender asks of a transport (the bot adapter), and what a transport may raise.

A long message goes as several parts. Every error says how many parts Telegram
has by then (`parts_sent`, None if the transport cannot tell), so that the next
attempt resumes after them instead of sending the first part again.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass


class TransportError(Exception):
    """A send that did not get through, and how far it got."""

    def __init__(self, *args: object, parts_sent: int | None = None) -> None:
        super().__init__(*args)
        self.parts_sent = parts_sent


class RetryAfter(TransportError):
    """Telegram asked us to wait (HTTP 429)."""

    def __init__(self, seconds: float, *, parts_sent: int | None = None) -> None:
        super().__init__(seconds, parts_sent=parts_sent)
        self.seconds = seconds


class Unreachable(TransportError):
    """The user blocked the bot or deleted their account (HTTP 403)."""


class Transient(TransportError):
    """A network error or a server error; worth trying again later."""


class Refused(TransportError):
    """Telegram refused the message itself (HTTP 400); retrying will not help."""


@dataclass(frozen=True)
class Delivery:
    """What the transport needs to send one notification."""

    outbox_id: int
    telegram_id: int
    language: str
    key: str
    params: dict
    wish_id: int | None
    parts_sent: int = 0  # parts of this message an earlier attempt got through


Deliver = Callable[[Delivery], Awaitable[None]]


def error_code(exc: BaseException) -> str:
    """What Outbox.last_error keeps of a failure: its kind and class, never its text.

    Telegram's descriptions can quote the message (a 400 names the tag it could not
    parse), and a network error can name the request URL, which holds the token.
    """
    cause = exc.__cause__ or exc
    match exc:
        case RetryAfter():
            return "429"
        case Unreachable():
            return f"403 {type(cause).__name__}"
        case Refused():
            return f"400 {type(cause).__name__}"
        case Transient():
            return f"transient {type(cause).__name__}"
    return f"error {type(exc).__name__}"
