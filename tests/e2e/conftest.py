"""The real PTB bot, run against the fake Bot API server over HTTP on 127.0.0.1."""

import asyncio
import contextlib
import logging
import re
from zoneinfo import ZoneInfo

import pytest

from bot.flows.callbacks import CallbackCodec
from bot.flows.context import Deps
from bot.ptb.app import SandanBot
from sandan.fakebot import FakeBotApi
from sandan.logs import guard_logs
from sandan.settings import DEFAULT_CATALOGUE
from services.catalogue import load_catalogue
from services.wishes import Limits

# Contact details and tokens the e2e tests and tests/factories.py use; none may reach a log.
SECRETS = ("123456:TEST-TOKEN", "424242:RUN-TEST", "e2e-secret")
_PHONE = re.compile(r"1[3-9]\d(?:[ -]?\d{4}){2}")  # 13812341234, 138 1234 1234, 138-1234-1234


class _Everything(logging.Handler):
    """Keeps every record, formatted as a handler would print it, traceback included."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {self.format(record)}")  # as a console handler prints it


@pytest.fixture(autouse=True)
def no_contacts_or_secrets_in_logs():
    """All log output of the test, at DEBUG, holds neither a phone number nor a token."""
    handler, root = _Everything(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    leaks = [line for line in handler.lines if _PHONE.search(line) or any(s in line for s in SECRETS)]
    assert not leaks, leaks[:3]


class Running:
    """A bot process that can be stopped and started again on the same database."""

    def __init__(self, api: FakeBotApi, deps: Deps) -> None:
        self.api, self.deps = api, deps
        self.bot: SandanBot | None = None
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        guard_logs(self.api.token)  # as `sandan run` does when it sets up logging
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


def approved_member(s, person, *, branch_id: int, grid_id: int, staff_id: int) -> int:
    """A Telegram user registered as a member of the branch and approved by its staff."""
    from services import people

    user = people.ensure_user(s, telegram_id=person.id, display_name=person.first_name)
    people.register_member(
        s,
        actor_id=user.id,
        catalogue=load_catalogue(DEFAULT_CATALOGUE),
        name=person.first_name,
        phone="13900001111",
        branch_id=branch_id,
        grid_id=grid_id,
        work_unit="区供电公司",
        skills=["repair"],
        availability=["weekend"],
    )
    people.decide_member(s, actor_id=staff_id, member_user_id=user.id, approve=True)
    return user.id
