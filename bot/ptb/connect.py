"""Reaching the Bot API at start: waiting and trying again while it is unreachable."""

import asyncio
import contextlib
import logging
from collections.abc import Callable

from telegram import Bot
from telegram.error import NetworkError, TelegramError
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from bot.ptb.commands import set_default_commands

log = logging.getLogger(__name__)

# Waits between tries to reach the Bot API at start: a network that is not up yet, a proxy
# still starting, or Telegram briefly down should delay Sandan, not stop it.
START_WAIT = wait_exponential(multiplier=1, min=1, max=60)


async def connect(bot: Bot, stop: asyncio.Event) -> bool:
    """Reach the Bot API, waiting and trying again while it is unreachable; False if stopped first.

    A rejected token (InvalidToken) is not retried: it will not get better by waiting.
    """

    async def sleep(seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)

    def waiting(state) -> None:
        log.warning(
            "Telegram's Bot API is unreachable (%s); trying again in %.0f s",
            state.outcome.exception(),
            state.next_action.sleep,
        )

    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type(NetworkError),
        wait=START_WAIT,
        stop=lambda _state: stop.is_set(),
        sleep=sleep,
        before_sleep=waiting,
        reraise=True,
    ):
        if stop.is_set():
            return False
        with attempt:
            await bot.initialize()
            await set_default_commands(bot)
    return not stop.is_set()


PING_EVERY = 20.0  # seconds between getMe calls in webhook mode, for /readyz (within READY_API_AGE)


async def keep_in_touch(
    bot: Bot, stop: asyncio.Event, answered: Callable[[], None], *, every: float = PING_EVERY
) -> None:
    """In webhook mode nothing else calls the Bot API while nobody writes: ask it now and then
    (getMe), so that readiness tells a Bot API that stopped answering from a quiet day."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
        if stop.is_set():
            return
        try:
            await bot.get_me()
        except TelegramError as exc:
            log.warning("the Bot API did not answer getMe (%s)", type(exc).__name__)
        else:
            answered()
