"""`sandan demo`: one wish from posting to rating, told as each person sees it."""

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.i18n import t
from bot.texts import category_label, render_note, render_reason, status_label
from models import Outbox, OutboxStatus, Priority, User
from sandan.migrate import upgrade
from sandan.settings import DEFAULT_CATALOGUE
from services import dispatch, people, privacy, tasks, wishes
from services.branches import add_branch, add_staff, grids_of
from services.catalogue import load_catalogue
from services.db import Database
from services.matching import rank_candidates
from services.queries import timeline

TZ = ZoneInfo("Asia/Shanghai")


class Story:
    """Runs use cases and prints what the actor sees and who else is told."""

    def __init__(self, db: Database, lang: str) -> None:
        self.db, self.lang = db, lang
        self.catalogue = load_catalogue(DEFAULT_CATALOGUE)
        self.roles: dict[int, str] = {}
        self.names: dict[int, str] = {}

    def say(self, key: str, **params) -> None:
        print(t(self.lang, key, **params))

    def does(self, user_id: int, action: str, **params) -> None:
        who, role = self.names[user_id], t(self.lang, f"role.{self.roles[user_id]}")
        self.say("demo.does", who=who, role=role, action=t(self.lang, f"demo.action.{action}", **params))

    def sees(self, user_id: int, text: str) -> None:
        self.say("demo.sees", who=self.names[user_id])
        print("    " + text.replace("\n", "\n    "))

    async def deliver(self) -> None:
        """Act as the outbox sender: print each pending notification, then mark it sent."""
        async with self.db.write() as s:
            rows = (
                await s.execute(
                    select(Outbox, User.language)
                    .join(User, User.id == Outbox.user_id)
                    .where(Outbox.status == OutboxStatus.pending)
                    .order_by(Outbox.id)
                )
            ).all()
            for row, language in rows:
                self.say(
                    "demo.told",
                    who=self.names[row.user_id],
                    role=t(self.lang, f"role.{self.roles[row.user_id]}"),
                )
                text = render_note(self.lang or language, self.catalogue, row.key, row.params)
                print("    " + text.replace("\n", "\n    "))
            ids = [row.id for row, _ in rows]
            await s.execute(
                update(Outbox)
                .where(Outbox.id.in_(ids))
                .values(status=OutboxStatus.sent, sent_at=datetime.now(UTC))
            )
        print()

    async def cast(self) -> dict[str, int]:
        """A branch with two grids, its staff, a resident and three members."""
        people_ = {}
        async with self.db.write() as s:
            branch = await add_branch(s, code="A", name="幸福社区", grids=["一网格", "二网格"])
            g1, g2 = [g.id for g in await grids_of(s, branch.id)]
            staff = await add_staff(s, telegram_id=1001, branch_code="A")
            staff.name = "张书记"
            people_["staff"] = staff.id
            resident = await people.ensure_user(s, telegram_id=2001, display_name="王秀英")
            await people.register_resident(
                s,
                actor_id=resident.id,
                name="王秀英",
                phone="13812341234",
                branch_id=branch.id,
                grid_id=g1,
                address=people.Address("幸福小区", "3栋", "2单元", "502"),
            )
            people_["resident"] = resident.id
            for key, tg, name, grid, skills in (
                ("m1", 3001, "李建国", g1, ["repair"]),
                ("m2", 3002, "赵红梅", g2, ["repair", "errands"]),
                ("m3", 3003, "陈志强", g2, ["tutoring"]),
            ):
                user = await people.ensure_user(s, telegram_id=tg, display_name=name)
                await people.register_member(
                    s,
                    actor_id=user.id,
                    catalogue=self.catalogue,
                    name=name,
                    phone="13900001111",
                    branch_id=branch.id,
                    grid_id=grid,
                    work_unit="区供电公司",
                    skills=skills,
                    availability=["weekday_evening", "weekend"],
                )
                await people.decide_member(s, actor_id=staff.id, member_user_id=user.id, approve=True)
                people_[key] = user.id
            await s.execute(update(Outbox).values(status=OutboxStatus.sent))  # set-up chatter
        for key, uid in people_.items():
            self.roles[uid] = {"staff": "staff", "resident": "resident"}.get(key, "member")
        self.names.update(
            {
                people_["staff"]: "张书记",
                people_["resident"]: "王秀英",
                people_["m1"]: "李建国",
                people_["m2"]: "赵红梅",
                people_["m3"]: "陈志强",
            }
        )
        return people_

    async def run(self) -> None:
        p = await self.cast()
        self.say("demo.title")
        print()
        self.say("demo.step.1")
        text = "厨房水管漏水，滴了一整天了，我腿脚不方便，麻烦帮忙看看。"
        self.does(
            p["resident"], "submit", category=category_label(self.lang, self.catalogue, "repairs"), text=text
        )
        async with self.db.write() as s:
            wish = await wishes.submit_wish(
                s,
                actor_id=p["resident"],
                draft=wishes.WishDraft("repairs", text),
                catalogue=self.catalogue,
                limits=wishes.Limits(),
                today=datetime.now(TZ).date(),
            )
        self.sees(p["resident"], t(self.lang, "reply.submitted", number=wish.number))
        await self.deliver()

        self.say("demo.step.2")
        self.does(p["staff"], "accept", number=wish.number)
        async with self.db.write() as s:
            await wishes.accept_wish(
                s,
                actor_id=p["staff"],
                wish_id=wish.id,
                category="repairs",
                priority=Priority.normal,
                catalogue=self.catalogue,
            )
            ranked = await rank_candidates(s, actor_id=p["staff"], wish_id=wish.id, catalogue=self.catalogue)
        lines = [t(self.lang, "reply.accepted", number=wish.number), t(self.lang, "demo.candidates")]
        lines += [
            t(
                self.lang,
                "demo.candidate",
                i=i,
                name=c.name,
                score=c.score,
                reason=render_reason(self.lang, c),
            )
            for i, c in enumerate(ranked, 1)
        ]
        self.sees(p["staff"], "\n".join(lines))
        await self.deliver()

        first, second = ranked[0].member_id, ranked[1].member_id
        self.say("demo.step.3")
        offer = await self.offer(p["staff"], wish, first)
        self.does(first, "decline", reason="这周在外地出差")
        async with self.db.write() as s:
            await dispatch.decline_offer(s, actor_id=first, offer_id=offer.id, reason="这周在外地出差")
        self.sees(first, t(self.lang, "reply.declined"))
        await self.deliver()

        self.say("demo.step.4")
        offer = await self.offer(p["staff"], wish, second)
        self.does(second, "take")
        async with self.db.write() as s:
            await dispatch.take_offer(s, actor_id=second, offer_id=offer.id)
            contact = await privacy.reveal_contact(s, actor_id=second, wish_id=wish.id)
        self.sees(
            second,
            t(
                self.lang,
                "reply.taken",
                number=wish.number,
                name=contact.name,
                phone=contact.phone,
                address=contact.address,
            ),
        )
        await self.deliver()
        self.does(second, "start")
        async with self.db.write() as s:
            await tasks.start_task(s, actor_id=second, wish_id=wish.id)
        self.sees(second, t(self.lang, "reply.started"))
        await self.deliver()
        self.does(second, "complete", note="更换了水龙头下的软管", hours=1.5)
        async with self.db.write() as s:
            await tasks.complete_task(
                s, actor_id=second, wish_id=wish.id, note="更换了水龙头下的软管", hours=1.5
            )
        self.sees(second, t(self.lang, "reply.completed", number=wish.number, hours=1.5))
        await self.deliver()

        self.say("demo.step.5")
        self.does(p["resident"], "rate", score=5, comment="来得很快，修得很好，谢谢！")
        async with self.db.write() as s:
            await tasks.rate_wish(
                s, actor_id=p["resident"], wish_id=wish.id, score=5, comment="来得很快，修得很好，谢谢！"
            )
            events = await timeline(s, actor_id=p["staff"], wish_id=wish.id)
        self.sees(p["resident"], t(self.lang, "reply.rated"))
        await self.deliver()

        self.say("demo.done")
        for e in events:
            self.say(
                "demo.timeline",
                at=e.at.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S"),
                status=status_label(self.lang, e.to_status),
                actor=e.actor or t(self.lang, "label.system"),
            )

    async def offer(self, staff_id: int, wish, member_id: int):
        self.does(staff_id, "offer", number=wish.number, name=self.names[member_id])
        async with self.db.write() as s:
            offer = await dispatch.offer_wish(s, actor_id=staff_id, wish_id=wish.id, member_id=member_id)
        self.sees(staff_id, t(self.lang, "reply.offered", number=wish.number, name=self.names[member_id]))
        await self.deliver()
        return offer


async def run_demo(lang: str = "zh") -> None:
    """Run the story on a throwaway SQLite database."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}")
        try:
            await upgrade(db)
            await Story(db, lang if lang in ("zh", "en") else "zh").run()
        finally:
            await db.dispose()
