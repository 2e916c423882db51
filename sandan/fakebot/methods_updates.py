"""Bot API methods: getUpdates (long polling) and the webhook. A mixin of FakeBotApi."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Callable

from sandan.fakebot.types import ApiError, JSONDict


class UpdateMethods:
    """Mixin of FakeBotApi: hands out the queue of UpdateInjection; confirms by offset."""

    def _m_setWebhook(self, params: JSONDict) -> bool:
        if params.get("drop_pending_updates"):
            self._drop_pending()
        self._set_webhook(params)  # sandan/fakebot/webhook.py: deliveries start
        return True

    async def _m_deleteWebhook(self, params: JSONDict) -> bool:
        await self._stop_webhook()
        if params.get("drop_pending_updates"):
            self._drop_pending()
        return True

    def _m_getWebhookInfo(self, params: JSONDict) -> JSONDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    def _drop_pending(self) -> None:
        if self._pending:
            self._confirmed_below = max(self._confirmed_below, self._pending[-1]["update_id"] + 1)
        self._pending.clear()
        self._redeliver.clear()

    def _confirm(self, offset: int) -> None:
        if offset < 0:  # -N: forget all but the last N
            keep = list(self._pending)[offset:]
            if keep:
                offset = keep[0]["update_id"]
            elif self._pending:
                offset = self._pending[-1]["update_id"] + 1
            else:
                return
        while self._pending and self._pending[0]["update_id"] < offset:
            self._pending.popleft()
        self._confirmed_below = max(self._confirmed_below, offset)
        self._activity.set()

    def _take_updates(self, limit: int) -> list[JSONDict]:
        batch: list[JSONDict] = []
        while self._redeliver and len(batch) < limit:
            batch.append(self._redeliver.popleft())
        allowed = self._allowed_updates
        for update in self._pending:
            if len(batch) >= limit:
                break
            kinds = set(update) - {"update_id"}
            if allowed and not kinds & set(allowed):
                continue
            batch.append(copy.deepcopy(update))
        return batch

    async def _m_getUpdates(
        self, params: JSONDict, alive: Callable[[], bool] = lambda: True
    ) -> list[JSONDict]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        if offset is not None:
            self._confirm(int(offset))
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), self.max_poll_timeout)
        if "allowed_updates" in params and params["allowed_updates"] is not None:
            self._allowed_updates = list(params["allowed_updates"]) or None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._updates_event
            if not alive():  # the client gave up on this long poll: don't hand it anything
                return []
            batch = self._take_updates(limit)
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0:
                return batch
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
