"""Long polling into the durable inbox: an update is stored before Telegram is told it arrived.

Telegram counts an update as delivered once getUpdates is called with a higher offset.
The offset moves past a batch only after the batch is stored, so a crash at any moment
loses nothing: what was not stored is fetched again, and what is fetched twice is stored once.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable

from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.i18n import pick_language, t
from services import inbox
from services.db import Database
from services.pool import WorkPool

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates open when there is nothing new
MAX_PAUSE = 30.0  # seconds between tries while Telegram or the database is failing


def arrival(update: Update) -> inbox.Arrival:
    """The inbox row for an update: its sender decides whose turn it waits for."""
    user = update.effective_user
    return inbox.Arrival(
        update.update_id,
        user.id if user else 0,
        update.to_dict(),
        user.language_code if user else None,
    )


class Poller:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        pool: WorkPool,
        *,
        stored: Callable[[int], None],
        answered: Callable[[], None] = lambda: None,
    ) -> None:
        self.bot, self.db, self.pool, self.stored, self.answered = bot, db, pool, stored, answered
        self.offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Fetch, store, confirm, until `stop` is set."""
        failures = 0
        while not stop.is_set():
            try:
                updates = await self._fetch(stop)
                self.answered()
                if updates:
                    await self._store(updates)
                failures = 0
            except InvalidToken:
                raise
            except (NetworkError, TelegramError) as exc:
                failures += 1
                log.warning("getUpdates failed (%s); trying again", type(exc).__name__)
                await self._pause(stop, failures)
            except Exception:  # the database is failing: keep the batch unconfirmed and wait
                failures += 1
                log.exception("storing updates failed; they stay unconfirmed")
                await self._pause(stop, failures)

    async def _fetch(self, stop: asyncio.Event) -> tuple[Update, ...]:
        """One long poll, cut short by `stop` (the unconfirmed updates are fetched next time)."""
        poll = asyncio.ensure_future(
            self.bot.get_updates(offset=self.offset, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES)
        )
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({poll, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not poll.done():
            poll.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poll
            return ()
        return poll.result()

    async def _store(self, updates: tuple[Update, ...]) -> None:
        arrivals = [arrival(u) for u in updates]
        warn = await self.pool.run(inbox.store, self.db, arrivals=arrivals)
        self.offset = updates[-1].update_id + 1  # confirmed by the next getUpdates
        self.stored(len(arrivals))
        for a in warn:
            await self.slow_down(a)

    async def slow_down(self, a: inbox.Arrival) -> None:
        """Ask a sender whose backlog is full to wait for the answers (once a minute at most)."""
        try:
            await self.bot.send_message(a.user_key, t(pick_language(a.language), "inbox.slow_down"))
        except TelegramError as exc:
            log.warning("slow-down notice not sent (%s)", type(exc).__name__)

    @staticmethod
    async def _pause(stop: asyncio.Event, failures: int) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), min(MAX_PAUSE, 0.25 * 2**failures))

