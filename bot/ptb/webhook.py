"""Webhook mode: Telegram POSTs each update, and the bot answers 200 only once it is stored.

Telegram takes any 2xx as delivered and anything else as "send it again later", so an
update is in the durable inbox (services.inbox) before the answer goes out, as in polling
mode before the offset moves. A request without the secret token set with setWebhook is
refused: anyone can POST to a public URL.
"""

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Bot, Update

from bot.ptb.polling import ALLOWED_UPDATES, arrival
from services import inbox
from services.db import Database
from services.pool import WorkPool

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_CONNECTIONS = 40  # Telegram's default: updates of different users in flight at once


@dataclass(frozen=True)
class Webhook:
    url: str  # the public HTTPS URL Telegram posts to; its path is the route served
    secret: str

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"


async def register(bot: Bot, webhook: Webhook) -> None:
    """Tell Telegram where to post, with the secret it must send back."""
    await bot.set_webhook(
        webhook.url,
        secret_token=webhook.secret,
        allowed_updates=ALLOWED_UPDATES,
        max_connections=MAX_CONNECTIONS,
    )


def receiver(
    bot: Bot,
    db: Database,
    pool: WorkPool,
    webhook: Webhook,
    *,
    stored: Callable[[int], None],
    slow_down: Callable[[inbox.Arrival], Awaitable[None]],
    stopping: Callable[[], bool] = lambda: False,
):
    """The aiohttp handler for the webhook's route."""
    expected = webhook.secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("webhook request without the right secret token refused")
            return web.Response(status=403)
        if stopping():  # shutting down: Telegram sends it again, to another instance or to the next start
            return web.Response(status=503)
        try:
            update = Update.de_json(json.loads(await request.read()), bot)
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None:  # not an update: sending it again will not help
            log.warning("webhook request that is not a Telegram update refused")
            return web.Response(status=400)
        try:
            warn = await pool.run(inbox.store, db, arrivals=[arrival(update)])
        except Exception:  # not stored: Telegram sends it again
            log.exception("storing a webhook update failed")
            return web.Response(status=503)
        stored(1)
        for a in warn:
            await slow_down(a)
        return web.Response()

    return receive
