"""The real PTB bot, run against the fake Bot API server over HTTP on 127.0.0.1."""

import asyncio
import contextlib
from zoneinfo import ZoneInfo

import pytest

from bot.flows.callbacks import CallbackCodec
from bot.flows.context import Deps
from bot.ptb.app import SandanBot
from sandan.fakebot import FakeBotApi
from services.wishes import Limits


class Running:
    """A bot process that can be stopped and started again on the same database."""

    def __init__(self, api: FakeBotApi, deps: Deps) -> None:
        self.api, self.deps = api, deps
        self.bot: SandanBot | None = None
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self.bot = SandanBot(self.deps, token=self.api.token, api_root=self.api.base_url)
        self.bot.sender.chats.rate = 50  # tests send bursts to one chat; limits are tested apart
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self.bot.run(self._stop))
        await self.api.wait_for_call("getUpdates")

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.wait_for(self._task, timeout=10)

    async def restart(self) -> None:
        await self.stop()
        await self.start()


@pytest.fixture
async def running(db, catalogue):
    deps = Deps(db, catalogue, Limits(), ZoneInfo("Asia/Shanghai"), CallbackCodec(b"e2e-secret"))
    async with FakeBotApi() as api:
        run = Running(api, deps)
        await run.start()
        try:
            yield run
        finally:
            with contextlib.suppress(Exception):
                await run.stop()


def button(message: dict, label_part: str) -> str:
    """The callback data of the button whose label contains `label_part`."""
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for b in row:
            if label_part in b["text"]:
                return b["callback_data"]
    raise AssertionError(f"no button {label_part!r} in {message.get('text')!r}")


async def press(api: FakeBotApi, user, label_part: str, *, timeout: float = 5) -> int:  # noqa: ASYNC109
    """Press the newest button in the user's chat whose label contains `label_part`."""

    def find():
        for message in reversed(api.sent_messages(user.id)):
            current = api.message(user.id, message["message_id"]) or message
            try:
                return current, button(current, label_part)
            except AssertionError:
                continue
        return None

    current, data = await api.wait_for(find, timeout=timeout)
    return api.press(user, current, data)


async def said(api: FakeBotApi, user, text_part: str, *, timeout: float = 5) -> dict:  # noqa: ASYNC109
    """Wait until the bot has sent the user a message containing `text_part`."""

    def find():
        return next(
            (m for m in reversed(api.sent_messages(user.id)) if text_part in (m.get("text") or "")), None
        )

    return await api.wait_for(find, timeout=timeout)
