"""Reaching the Bot API at start: waiting and trying again while it is unreachable."""

import asyncio
import contextlib
import logging

from telegram import Bot
from telegram.error import NetworkError
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from bot.ptb.commands import set_default_commands

log = logging.getLogger(__name__)

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
