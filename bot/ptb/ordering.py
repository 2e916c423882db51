"""Handle different users' updates at once, but each user's updates in order.

One user's updates must not overlap: their form state and replies follow the
order they wrote in. Different users are independent, so while one update
waits on the database or on Telegram, another user's can run.
"""

import asyncio
from collections.abc import Awaitable

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerUserOrder(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 32, max_waiting: int = 1024) -> None:
        # PTB's own semaphore is taken before do_process_update, so an update waiting for its
        # user's turn would hold a slot; it only bounds the waiting, and our slots are taken
        # once the user's turn has come.
        super().__init__(max_waiting)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # updates holding or awaiting each lock

    async def do_process_update(self, update: object, coroutine: Awaitable) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(user.id, asyncio.Lock())
        self._users[user.id] = self._users.get(user.id, 0) + 1
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            self._users[user.id] -= 1
            if not self._users[user.id]:  # the last one out forgets the lock
                del self._users[user.id], self._locks[user.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
