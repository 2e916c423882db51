"""The PTB adapter: updates go through the durable inbox to the flow engine, and the outbox
sender delivers notifications; the synchronous core runs in worker threads."""

import asyncio
import logging
import sys
from datetime import timedelta

from sqlalchemy import select
from telegram import Bot, Update

from bot.deferred import message_params
from bot.flows.context import Deps
from bot.flows.engine import Engine
from bot.flows.io import Answer, Input, Kind, Message, Output
from bot.flows.registry import build_engine
from bot.i18n import pick_language, t
from bot.leadership import Leadership, Term
from bot.ptb.aiohttp_request import AiohttpRequest
from bot.ptb.commands import commands_key, set_chat_commands
from bot.ptb.connect import connect, keep_in_touch
from bot.ptb.convert import to_input
from bot.ptb.polling import Poller
from bot.ptb.render import render
from bot.ptb.transport import PtbTransport
from bot.ptb.webhook import Webhook, receiver, register
from bot.workers import WORKERS, UpdateWorkers
from models import User
from services import delivery, inbox, outbox
from services.actors import load_actor
from services.delivery import OutboxSender
from services.inbox import Claimed
from services.metrics import ApiContact
from services.pool import WorkPool
from services.quiet_hours import QuietHours
from services.replies import defer_reply

log = logging.getLogger(__name__)

# Commands after which the user's roles (and so their command menu) may differ.
_MENU_REFRESH = {"start", "language"}
# A report is seconds of pure Python in one worker thread. At CPython's default switch interval
# (5 ms) every other thread, the event loop's included, waits up to 5 ms each time it needs the
# GIL back, which is dozens of times per update: `/stats all` slowed everyone's answers to a
# second. A shorter interval hands the GIL over sooner, at a small cost to the report.
SWITCH_INTERVAL = 0.0005


class SandanBot:
    """One adapter: stored updates become flow inputs, outputs become Bot API calls."""

    def __init__(
        self,
        deps: Deps,
        *,
        token: str,
        api_root: str,
        quiet_hours: QuietHours | None = None,
        workers: int = WORKERS,
        lease: timedelta = inbox.LEASE,
        outbox_lease: timedelta = delivery.LEASE,
    ) -> None:
        self.deps = deps
        self.engine: Engine = build_engine(deps)
        self.bot = Bot(
            token,
            base_url=f"{api_root}/bot",
            base_file_url=f"{api_root}/file/bot",
            request=AiohttpRequest(),
            get_updates_request=AiohttpRequest(connections=1),
        )
        self.pool = WorkPool(workers, name="sandan-worker")
        self.workers = UpdateWorkers(deps.db, self.handle, pool=self.pool, size=workers, lease=lease)
        self.api_contact = ApiContact()  # for /readyz: when the Bot API last answered
        self.poller = Poller(
            self.bot, deps.db, self.pool, stored=self.workers.wake, answered=self.api_contact.answered
        )
        self._menus: dict[int, tuple] = {}  # the command menu last set per chat
        transport = PtbTransport(self.bot, deps.catalogue, deps.codec)
        self.sender = OutboxSender(deps.db, transport, quiet_hours=quiet_hours, lease=outbox_lease)
        self.leadership = Leadership(deps.db)
        self.stopping = asyncio.Event()  # run's stop, once it runs: then no more updates are taken

    async def handle(self, claimed: Claimed) -> str | None:
        """Handle one stored update: the flows in a worker thread, then the replies; returns its kind."""
        update = Update.de_json(claimed.raw, self.bot)
        inp = to_input(update)
        if inp is None:
            return None
        chat_id, query = inp.who.telegram_id, update.callback_query
        outputs = await self.pool.run(self._apply, inp, claimed.update_id)
        await render(self.bot, chat_id, outputs, query=query, defer=self._defer)
        if inp.kind == Kind.command and inp.command in _MENU_REFRESH:
            await self._refresh_menu(chat_id, inp)
        return inp.kind.value

    def _apply(self, inp: Input, update_id: int) -> list[Output]:
        try:
            return self.engine.handle(inp)
        except Exception:
            log.exception("update %s failed", update_id)
            text = t(pick_language(inp.who.language_code), "error.generic")
            return [Answer(text, alert=True)] if inp.kind == Kind.button else [Message(text)]

    async def _defer(self, chat_id: int, message: Message, parts_sent: int, wait: float) -> None:
        """A reply that could not be sent now goes to the outbox, which keeps trying."""
        try:
            await self.pool.run(
                defer_reply,
                self.deps.db,
                telegram_id=chat_id,
                params=message_params(message),
                parts_sent=parts_sent,
                wait=wait,
            )
        except Exception:  # the database is failing too: nothing more to do for this reply
            log.exception("a reply to %s could not be handed to the outbox", chat_id)

    def _menu_of(self, chat_id: int) -> tuple:
        with self.deps.db.read() as s:
            user = s.scalar(select(User).where(User.telegram_id == chat_id))
            return load_actor(s, user.id), user.language

    async def _refresh_menu(self, chat_id: int, inp) -> None:
        """Set the chat's command menu when its roles or language changed since we last did."""
        actor, language = await self.pool.run(self._menu_of, chat_id)
        menu = (commands_key(actor), language)
        if self._menus.get(chat_id) != menu:
            await set_chat_commands(self.bot, chat_id, actor, language)
            self._menus[chat_id] = menu

    async def settled(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until every worker is idle and the outbox sender found nothing due."""
        async with asyncio.timeout(timeout):
            while True:
                await self.workers.idle.wait()
                await self.leadership.leading.wait()  # a follower sends nothing: not for tests
                await self.sender.idle.wait()
                if self.workers.idle.is_set():  # still: nothing came in while the sender finished
                    return

    def webhook_receiver(self, webhook: Webhook):
        """The aiohttp handler that stores each update Telegram posts (webhook mode)."""
        return receiver(
            self.bot,
            self.deps.db,
            self.pool,
            webhook,
            stored=self.workers.wake,
            slow_down=self.poller.slow_down,
            stopping=lambda: self.stopping.is_set(),  # run's stop, once it runs
        )

    async def run(
        self, stop: asyncio.Event, webhook: Webhook | None = None, *, while_leading: Term | None = None
    ) -> None:
        """Take updates (by long polling, or from `webhook`'s posts), work and deliver until
        `stop` is set, then shut down cleanly. The outbox sender, and `while_leading` (the
        scheduler), run only while this process leads (bot/leadership.py)."""

        async def lead(ended: asyncio.Event) -> None:
            async with asyncio.TaskGroup() as term:
                term.create_task(self.sender.run_forever(ended), name="outbox-sender")
                if while_leading is not None:
                    term.create_task(while_leading(ended), name="leader-work")

        sys.setswitchinterval(SWITCH_INTERVAL)
        loop = asyncio.get_running_loop()

        def wake_sender() -> None:  # in the thread whose commit queued notifications
            if not loop.is_closed():
                loop.call_soon_threadsafe(self.sender.nudge)

        unwatch = outbox.when_queued(self.deps.db, wake_sender)
        self.stopping = stop
        try:
            if not await connect(self.bot, stop):
                return
            if webhook is not None:
                await register(self.bot, webhook)
            else:  # a webhook left from an earlier run would refuse getUpdates
                await self.bot.delete_webhook()
            self.api_contact.answered()
            async with asyncio.TaskGroup() as tasks:
                if webhook is None:
                    tasks.create_task(self.poller.run(stop), name="poller")
                else:
                    tasks.create_task(keep_in_touch(self.bot, stop, self.api_contact.answered), name="ping")
                tasks.create_task(self.workers.run(stop), name="update-workers")
                tasks.create_task(self.leadership.run(stop, lead), name="leadership")
        finally:
            unwatch()
            await self.bot.shutdown()
            self.pool.shutdown()
            self.sender.pool.shutdown()
