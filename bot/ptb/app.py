"""Builds the PTB Application around the flow engine and runs it with the outbox sender."""

import asyncio
import contextlib
import logging

from sqlalchemy import select
from telegram import Update
from telegram.error import NetworkError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from bot.deferred import message_params
from bot.flows.context import Deps
from bot.flows.engine import Engine
from bot.flows.io import Answer, Kind, Message
from bot.flows.registry import build_engine
from bot.i18n import pick_language, t
from bot.ptb.aiohttp_request import with_aiohttp
from bot.ptb.commands import commands_key, set_chat_commands, set_default_commands
from bot.ptb.convert import to_input
from bot.ptb.ordering import PerUserOrder
from bot.ptb.render import render
from bot.ptb.transport import PtbTransport
from models import User
from services.actors import load_actor
from services.delivery import OutboxSender
from services.quiet_hours import QuietHours
from services.replies import defer_reply

log = logging.getLogger(__name__)

# Commands after which the user's roles (and so their command menu) may differ.
_MENU_REFRESH = {"start", "language"}
# Waits between tries to reach the Bot API at start: a network that is not up yet, a proxy
# still starting, or Telegram briefly down should delay Sandan, not stop it.
START_WAIT = wait_exponential(multiplier=1, min=1, max=60)


class SandanBot:
    """One adapter: updates become flow inputs, outputs become Bot API calls."""

    def __init__(
        self, deps: Deps, *, token: str, api_root: str, quiet_hours: QuietHours | None = None
    ) -> None:
        self.deps = deps
        self.engine: Engine = build_engine(deps)
        self.application: Application = with_aiohttp(
            ApplicationBuilder()
            .token(token)
            .base_url(f"{api_root}/bot")
            .base_file_url(f"{api_root}/file/bot")
            .concurrent_updates(PerUserOrder())
        ).build()
        self.application.add_handler(TypeHandler(Update, self.on_update))
        self._menus: dict[int, tuple] = {}  # the command menu last set per chat
        transport = PtbTransport(self.application.bot, deps.catalogue, deps.codec)
        self.sender = OutboxSender(deps.db, transport, quiet_hours=quiet_hours)

    async def on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        inp = to_input(update)
        if inp is None:
            return
        bot, chat_id, query = self.application.bot, inp.who.telegram_id, update.callback_query
        try:
            outputs = await self.engine.handle(inp)
        except Exception:
            log.exception("update %s failed", update.update_id)
            text = t(pick_language(inp.who.language_code), "error.generic")
            outputs = [Answer(text, alert=True)] if inp.kind == Kind.button else [Message(text)]
        await render(bot, chat_id, outputs, query=query, defer=self._defer)
        if inp.kind == Kind.command and inp.command in _MENU_REFRESH:
            await self._refresh_menu(chat_id, inp)

    async def _defer(self, chat_id: int, message: Message, parts_sent: int, wait: float) -> None:
        """A reply that could not be sent now goes to the outbox, which keeps trying."""
        try:
            await defer_reply(
                self.deps.db,
                telegram_id=chat_id,
                params=message_params(message),
                parts_sent=parts_sent,
                wait=wait,
            )
        except Exception:  # the database is failing too: nothing more to do for this reply
            log.exception("a reply to %s could not be handed to the outbox", chat_id)

    async def _refresh_menu(self, chat_id: int, inp) -> None:
        """Set the chat's command menu when its roles or language changed since we last did."""
        async with self.deps.db.read() as s:
            user = await s.scalar(select(User).where(User.telegram_id == chat_id))
            actor = await load_actor(s, user.id)
        menu = (commands_key(actor), user.language)
        if self._menus.get(chat_id) != menu:
            await set_chat_commands(self.application.bot, chat_id, actor, user.language)
            self._menus[chat_id] = menu

    async def _connect(self, stop: asyncio.Event) -> bool:
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
                await self.application.initialize()
                await set_default_commands(self.application.bot)
        return not stop.is_set()

    async def run(self, stop: asyncio.Event) -> None:
        """Poll and deliver until `stop` is set, then shut down cleanly."""
        app = self.application
        try:
            connected = await self._connect(stop)
        except BaseException:
            await app.bot.shutdown()  # the Application never started, but its HTTP sessions did
            raise
        if not connected:
            await app.bot.shutdown()
            return
        await app.start()
        await app.updater.start_polling(
            allowed_updates=["message", "edited_message", "callback_query"], timeout=10
        )
        sender = asyncio.create_task(self.sender.run_forever(stop), name="outbox-sender")
        try:
            await stop.wait()
        finally:
            await sender
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
