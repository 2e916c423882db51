"""Webhook delivery: while a webhook is set, the fake POSTs each update to it, as Telegram does.

A mixin of FakeBotApi. Updates of different users go out at once (up to `max_connections`,
as setWebhook says, 40 by default); each user's next update waits until the last one was
answered, so they arrive in order. A 2xx answer delivers an update (it leaves the queue, as
if confirmed); anything else, or no answer, and it is posted again after a pause. The
secret token given to setWebhook rides in X-Telegram-Bot-Api-Secret-Token. Only loopback
URLs are accepted: a test never reaches the outside world.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit

import aiohttp

from sandan.fakebot.types import ApiError, JSONDict

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_PAUSE = 0.2  # seconds before an update that was not accepted is posted again
POST_TIMEOUT = 10.0  # seconds the fake waits for the bot's answer
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class WebhookDelivery:
    """Mixin of FakeBotApi (its _pending queue, _updates_event, _confirm and _closing)."""

    def _init_webhook(self) -> None:
        self.webhook_secret: str | None = None
        self.webhook_answers: list[tuple[int, int]] = []  # (update id, HTTP status or 0), in order
        self._max_connections = 40
        self._pusher: asyncio.Task | None = None

    def _set_webhook(self, params: JSONDict) -> None:
        url = str(params["url"])
        if urlsplit(url).hostname not in _LOOPBACK:
            raise ApiError(400, "Bad Request: the fake Bot API only delivers to loopback webhooks")
        self.webhook_url, self.webhook_secret = url, params.get("secret_token")
        self._max_connections = int(params.get("max_connections") or 40)
        if "allowed_updates" in params and params["allowed_updates"] is not None:
            self._allowed_updates = list(params["allowed_updates"]) or None
        if self._pusher is None or self._pusher.done():
            self._pusher = asyncio.get_running_loop().create_task(self._push())

    async def _stop_webhook(self) -> None:
        self.webhook_url = ""
        self._updates_event.set()
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
            self._pusher = None

    async def _push(self) -> None:
        timeout = aiohttp.ClientTimeout(total=POST_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            while self.webhook_url and not self._closing:
                batch = self._next_per_user()
                if not batch:
                    self._updates_event.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._updates_event.wait(), 0.5)
                    continue
                answers = await asyncio.gather(*(self._post(http, u) for u in batch))
                for update, ok in zip(batch, answers, strict=True):
                    if ok:
                        self._delivered(update)
                if not all(answers):
                    await asyncio.sleep(RETRY_PAUSE)

    def _next_per_user(self) -> list[JSONDict]:
        """The oldest pending update of each user, up to max_connections of them."""
        allowed = set(self._allowed_updates or ())
        unwanted = [u for u in self._pending if allowed and not (set(u) - {"update_id"}) & allowed]
        for update in unwanted:  # Telegram never sends what the bot did not ask for
            self._delivered(update)
        seen, batch = set(), []
        for update in self._pending:
            who = _sender_of(update)
            if who not in seen:
                seen.add(who)
                batch.append(update)
            if len(batch) >= self._max_connections:
                break
        return batch

    def _delivered(self, update: JSONDict) -> None:
        """The update left the queue; what is below the oldest still queued counts as confirmed."""
        with contextlib.suppress(ValueError):
            self._pending.remove(update)
        oldest = self._pending[0]["update_id"] if self._pending else update["update_id"] + 1
        self._confirmed_below = max(self._confirmed_below, oldest)
        self._activity.set()

    async def _post(self, http: aiohttp.ClientSession, update: JSONDict) -> bool:
        headers = {SECRET_HEADER: self.webhook_secret} if self.webhook_secret else {}
        try:
            async with http.post(self.webhook_url, json=update, headers=headers) as answer:
                self.webhook_answers.append((update["update_id"], answer.status))
                return 200 <= answer.status < 300
        except (aiohttp.ClientError, TimeoutError):
            self.webhook_answers.append((update["update_id"], 0))
            return False


def _sender_of(update: JSONDict) -> object:
    for kind in ("message", "edited_message", "callback_query"):
        if kind in update:
            return (update[kind].get("from") or {}).get("id")
    return ("update", update["update_id"])
