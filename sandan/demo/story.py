"""One wish from posting to rating, played by four people through the real PTB bot.

Set-up (a branch, its staff and approved members) goes through the services;
everything after that is Telegram updates sent to the bot over HTTP.
"""

import asyncio
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import update

from bot.flows.callbacks import CallbackCodec
from bot.flows.context import Deps
from bot.i18n import t
from bot.ptb.app import SandanBot
from models import Outbox, OutboxStatus
from sandan.demo.transcript import Transcript
from sandan.fakebot import FakeBotApi, FakeUser
from sandan.migrate import upgrade
from sandan.settings import DEFAULT_CATALOGUE
from services import people
from services.branches import add_branch, add_staff, grids_of
from services.catalogue import load_catalogue
from services.db import Database
from services.wishes import Limits


class Demo:
    def __init__(self, api: FakeBotApi, db: Database, lang: str) -> None:
        self.api, self.db, self.lang = api, db, lang
        self.bot: SandanBot | None = None  # set once the bot runs
        code = "en" if lang == "en" else "zh-hans"
        self.resident = FakeUser(2001, "王秀英", language_code=code)
        self.staff = FakeUser(1001, "张书记", language_code=code)
        self.members = [
            FakeUser(3001 + i, n, language_code=code) for i, n in enumerate(["李建国", "赵红梅", "陈志强"])
        ]
        people_ = [self.resident, self.staff, *self.members]
        self.transcript = Transcript(api, {u.id: u.first_name for u in people_}, "🤖")

    def label(self, key: str, **params) -> str:
        return t(self.lang, key, **params)

    async def settle(self) -> None:
        """Wait until the bot has taken every update and is idle, then print the new chat."""
        await self.api.wait_all_confirmed(timeout=20)
        await self.bot.settled(timeout=20)
        self.transcript.flush()

    async def step(self, title_key: str) -> None:
        print(f"\n━━ {self.label(title_key)} ━━")

    async def text(self, user: FakeUser, text: str) -> None:
        print(f"{user.first_name} ✍️ {text}")
        self.api.send_text(user, text)
        await self.settle()

    async def command(self, user: FakeUser, command: str) -> None:
        print(f"{user.first_name} ✍️ {command}")
        self.api.send_command(user, command)
        await self.settle()

    async def contact(self, user: FakeUser, phone: str) -> None:
        print(f"{user.first_name} 📱 {phone}")
        self.api.send_contact(user, phone)
        await self.settle()

    async def press(self, user: FakeUser, label: str) -> None:
        for message in reversed(self.api.sent_messages(user.id)):
            current = self.api.message(user.id, message["message_id"]) or message
            for row in (current.get("reply_markup") or {}).get("inline_keyboard", []):
                for b in row:
                    if label in b["text"]:
                        print(f"{user.first_name} 👆 [{b['text']}]")
                        self.api.press(user, current, b["callback_data"])
                        await self.settle()
                        return
        raise RuntimeError(f"{user.first_name} has no button {label!r}")

    def cast(self) -> None:
        catalogue = load_catalogue(DEFAULT_CATALOGUE)
        with self.db.write() as s:
            branch = add_branch(s, code="A", name="幸福社区", grids=["一网格", "二网格"])
            g1, g2 = [g.id for g in grids_of(s, branch.id)]
            staff = add_staff(s, telegram_id=self.staff.id, branch_code="A")
            staff.name, staff.language = "张书记", "en" if self.lang == "en" else "zh"
            for user, grid, skills in zip(
                self.members, (g1, g2, g2), (["repair"], ["repair", "errands"], ["tutoring"]), strict=True
            ):
                member = people.ensure_user(
                    s, telegram_id=user.id, display_name=user.first_name, language=user.language_code
                )
                people.register_member(
                    s,
                    actor_id=member.id,
                    catalogue=catalogue,
                    name=user.first_name,
                    phone="13900001111",
                    branch_id=branch.id,
                    grid_id=grid,
                    work_unit="区供电公司",
                    skills=skills,
                    availability=["weekday_evening", "weekend"],
                )
                people.decide_member(s, actor_id=staff.id, member_user_id=member.id, approve=True)
            s.execute(update(Outbox).values(status=OutboxStatus.sent))  # set-up chatter

    async def play(self) -> None:
        r, st, (m1, m2, _) = self.resident, self.staff, self.members
        print(self.label("demo.title"))
        await self.step("demo.step.1")
        await self.command(r, "/start")
        await self.text(r, self.label("menu.post"))
        await self.press(r, r.first_name)
        await self.contact(r, "+86 138 1234 1234")
        await self.press(r, "一网格")
        for answer in ("幸福小区", "3栋"):
            await self.text(r, answer)
        await self.press(r, self.label("reg.no_unit"))
        await self.text(r, "502")
        await self.press(r, self.label("btn.confirm"))
        await self.press(r, "维修疏通" if self.lang != "en" else "Repairs")
        await self.text(r, "厨房水管漏水，滴了一整天了，我腿脚不方便，麻烦帮忙看看。")
        await self.press(r, self.label("time.asap"))
        await self.press(r, self.label("btn.submit"))

        await self.step("demo.step.2")
        await self.press(st, self.label("triage.accept"))
        await self.press(st, "维修疏通" if self.lang != "en" else "Repairs")
        await self.press(st, self.label("priority.normal"))
        await self.press(st, self.label("dispatch.btn"))

        await self.step("demo.step.3")
        await self.press(st, m1.first_name)
        await self.press(m1, self.label("btn.decline"))
        await self.press(m1, self.label("task.reason.busy"))

        await self.step("demo.step.4")
        await self.press(st, self.label("btn.dispatch"))
        await self.press(st, m2.first_name)
        await self.press(m2, self.label("btn.take"))
        await self.press(m2, self.label("task.btn.start"))
        await self.press(m2, self.label("task.btn.complete"))
        await self.text(m2, "更换了水龙头下的软管，试过不漏了。")
        await self.press(m2, self.label("task.hours", hours="1.5"))
        await self.press(m2, self.label("task.btn.skip"))

        await self.step("demo.step.5")
        await self.press(r, "★★★★★")
        await self.text(r, "来得很快，修得很好，谢谢！")
        print(f"\n{self.label('demo.end')}")


async def run_demo(lang: str = "zh") -> None:
    """Run the story on a throwaway SQLite database and an in-process fake Telegram."""
    lang = lang if lang in ("zh", "en") else "zh"
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'sandan-demo.sqlite3'}")
        upgrade(db)
        async with FakeBotApi() as api:
            demo = Demo(api, db, lang)
            demo.cast()
            deps = Deps(
                db,
                load_catalogue(DEFAULT_CATALOGUE),
                Limits(),
                ZoneInfo("Asia/Shanghai"),
                CallbackCodec(b"demo"),
            )
            bot = demo.bot = SandanBot(deps, token=api.token, api_root=api.base_url)
            stop = asyncio.Event()
            running = asyncio.create_task(bot.run(stop))
            try:
                await api.wait_for_call("getUpdates")
                demo.transcript.seen = len(api.calls())  # start-up calls are not part of the story
                await demo.play()
            finally:
                stop.set()
                await running
        db.dispose()
