"""Forgetting (/forgetme, `sandan user forget`) and the /mydata export, at the service level."""

import asyncio
import json

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from models import (
    ConversationState,
    FollowUp,
    MemberProfile,
    MemberStatus,
    Outbox,
    Rating,
    ResidentProfile,
    Staff,
    User,
    Wish,
    WishEvent,
)
from models.enums import WishStatus as S
from sandan.migrate import upgrade
from services import arrival, privacy, tasks
from services.db import Database
from services.errors import NotAllowed, NotFound
from services.forgetting import forget_user
from services.personal_data import export_json
from tests.factories import (
    assigned,
    build_world,
    completed,
    new_admin,
    new_resident,
    new_staff,
    offered,
    submit,
)

PHONE, NAME = "13812341234", "王秀英"  # the factories' resident
SECRET_TEXT = f"厨房水管漏水，我是{NAME}，电话 {PHONE}，3栋2单元502"


async def _telegram_id(db, user_id: int) -> int:
    async with db.read() as s:
        return await s.scalar(select(User.telegram_id).where(User.id == user_id))


async def _counts(db) -> dict:
    async with db.read() as s:
        return {
            m.__tablename__: await s.scalar(select(func.count()).select_from(m))
            for m in (User, Wish, Rating, MemberProfile, ResidentProfile)
        } | {"hours": await s.scalar(select(func.sum(MemberProfile.hours_total)))}


async def _forget(db, user_id: int, actor_id: int | None = None):
    async with db.write() as s:
        return await forget_user(s, actor_id=user_id if actor_id is None else actor_id, user_id=user_id)


async def _rated(w, *, comment: str) -> Wish:
    wish = await completed(w)
    async with w.db.write() as s:
        return await tasks.rate_wish(s, actor_id=w.resident_id, wish_id=wish.id, score=2, comment=comment)


async def test_a_resident_who_forgets_ends_their_wishes_and_leaves_no_contact_behind(db, catalogue):
    w = await build_world(db, catalogue)
    await _rated(w, comment=f"没修好，找{NAME}打{PHONE}")  # a low rating opens a follow-up visit
    wish = await assigned(w)
    async with db.write() as s:
        await s.execute(update(Wish).where(Wish.id == wish.id).values(text=SECRET_TEXT))
    waiting = await submit(w, text=f"换灯泡 {PHONE}")
    telegram_id = await _telegram_id(db, w.resident_id)
    async with db.write() as s:
        s.add(ConversationState(telegram_id=telegram_id, flow="wish", step="text", data={"phone": PHONE}))
    before = await _counts(db)
    since = await s_max(db, Outbox.id)

    done = await _forget(db, w.resident_id)

    assert sorted(done.cancelled) == sorted([wish.number, waiting.number])
    async with db.read() as s:
        notes = (
            await s.execute(select(Outbox.user_id, Outbox.key, Outbox.wish_id).where(Outbox.id > since))
        ).all()
        statuses = dict((await s.execute(select(Wish.id, Wish.status))).all())
        user = await s.get(User, w.resident_id)
        profile = await s.scalar(select(ResidentProfile).where(ResidentProfile.user_id == w.resident_id))
        texts = (await s.scalars(select(Wish.text))).all() + (await s.scalars(select(Rating.comment))).all()
        states = (await s.scalars(select(ConversationState.telegram_id))).all()
        visits_open = await s.scalar(
            select(func.count()).select_from(FollowUp).where(FollowUp.done_at.is_(None))
        )
        to_them = await s.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.user_id == w.resident_id)
        )
        member_sees = await tasks_or_refusal(s, w.members[0], wish.id)
    assert (w.members[0], "member.cancelled", wish.id) in notes  # the member is told it is off
    assert (w.staff_id, "staff.cancelled", wish.id) in notes  # and so are the staff
    assert statuses[wish.id] == statuses[waiting.id] == S.cancelled
    assert (user.name, user.display_name, user.phone, user.telegram_id) == ("", "", "", None)
    assert user.forgotten_at is not None
    assert (profile.compound, profile.building, profile.unit, profile.room) == ("", "", "", "")
    assert not any(PHONE in t or NAME in t for t in texts)
    assert telegram_id not in states
    assert visits_open == 0 and to_them == 0
    assert isinstance(member_sees, NotAllowed)  # the contact is no longer theirs to see
    assert await _counts(db) == before  # the statistics: every row and hour is still there

    async with db.write() as s:  # the same Telegram account, writing again
        again = await arrival.arrive(s, telegram_id=telegram_id, display_name="新用户")
    assert again.user.id != w.resident_id
    assert not await _is_resident(db, again.user.id)


async def s_max(db, column) -> int:
    async with db.read() as s:
        return await s.scalar(select(func.coalesce(func.max(column), 0)))


async def tasks_or_refusal(s, member_id: int, wish_id: int):
    try:
        return await privacy.reveal_contact(s, actor_id=member_id, wish_id=wish_id)
    except NotAllowed as exc:
        return exc


async def _is_resident(db, user_id: int) -> bool:
    async with db.read() as s:
        return (
            await s.scalar(select(ResidentProfile.id).where(ResidentProfile.user_id == user_id)) is not None
        )


async def test_a_member_who_forgets_hands_their_offers_and_tasks_back_and_keeps_their_hours(db, catalogue):
    w = await build_world(db, catalogue)
    await _rated(w, comment="很好")  # a confirmed task: hours on the ledger
    task = await assigned(w)
    offer_wish, _ = await offered(w)
    member = w.members[0]
    async with db.read() as s:
        hours = await s.scalar(select(MemberProfile.hours_total).where(MemberProfile.user_id == member))

    done = await _forget(db, member)

    assert done.tasks_returned == [task.number] and done.offers_returned == [offer_wish.number]
    assert "member" in done.roles_removed
    async with db.read() as s:
        profile = await s.scalar(select(MemberProfile).where(MemberProfile.user_id == member))
        statuses = dict((await s.execute(select(Wish.id, Wish.status))).all())
        confirmed = await s.scalar(
            select(func.count()).select_from(Wish).where(Wish.assigned_member_id == member)
        )
    assert statuses[task.id] == statuses[offer_wish.id] == S.accepted
    assert (profile.status, profile.work_unit, profile.hours_total) == (MemberStatus.paused, "", hours)
    assert confirmed == 1  # the confirmed task still counts as theirs


async def test_forgetting_removes_staff_and_admin_rights(db, catalogue):
    await build_world(db, catalogue)
    async with db.write() as s:
        staff_id, admin_id = await new_staff(s, "A"), await new_admin(s)
    for uid in (staff_id, admin_id):
        await _forget(db, uid)
    async with db.read() as s:
        assert await s.scalar(select(func.count()).select_from(Staff).where(Staff.user_id == staff_id)) == 0
        assert not await s.scalar(select(User.is_admin).where(User.id == admin_id))


async def test_nobody_but_the_user_or_an_admin_may_forget_them_and_nobody_twice(db, catalogue):
    w = await build_world(db, catalogue)
    with pytest.raises(NotAllowed):
        await _forget(db, w.resident_id, actor_id=w.staff_id)
    async with db.read() as s:
        assert await s.scalar(select(User.phone).where(User.id == w.resident_id)) == "+86" + PHONE
    async with db.write() as s:
        admin = await new_admin(s)
    await _forget(db, w.resident_id, actor_id=admin)
    with pytest.raises(NotFound):
        await _forget(db, w.resident_id, actor_id=admin)


def test_the_cli_forgets_a_telegram_account_without_printing_personal_data(tmp_path, monkeypatch, catalogue):
    from sandan.cli import app

    db_url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"

    async def setup() -> tuple[int, int]:
        db = Database(db_url)
        await upgrade(db)
        w = await build_world(db, catalogue)
        wish = await submit(w, text=SECRET_TEXT)
        telegram_id = await _telegram_id(db, w.resident_id)
        await db.dispose()
        return telegram_id, wish.id

    telegram_id, wish_id = asyncio.run(setup())
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = CliRunner().invoke(app, ["user", "forget", str(telegram_id)])
    assert result.exit_code == 0, result.output
    assert "A-0001" in result.output and PHONE not in result.output and NAME not in result.output

    async def check():
        db = Database(db_url)
        async with db.read() as s:
            found = await s.scalar(
                select(func.count()).select_from(User).where(User.telegram_id == telegram_id)
            )
            text = await s.scalar(select(Wish.text).where(Wish.id == wish_id))
        await db.dispose()
        return found, text

    found, text = asyncio.run(check())
    assert found == 0 and PHONE not in text
    again = CliRunner().invoke(app, ["user", "forget", str(telegram_id)])
    assert again.exit_code == 1  # nobody has that account any more: said plainly, nothing changed


async def test_mydata_holds_the_users_own_wishes_and_nobody_elses_contact(db, catalogue):
    w = await build_world(db, catalogue)
    async with db.write() as s:
        other = await new_resident(s, w.branch_id, w.grid_ids[0], name="张大妈")
        await s.execute(update(User).where(User.id == other).values(phone="+8613999998888"))
    mine = await _rated(w, comment="谢谢")
    theirs = await submit(w, text="别人的心愿", resident_id=other)
    async with db.read() as s:
        data = json.loads(await export_json(s, actor_id=w.resident_id, tz=catalogue_tz()))
    numbers = [x["number"] for x in data["wishes"]]
    assert mine.number in numbers and theirs.number not in numbers
    assert data["profile"]["phone"] == "+86" + PHONE
    assert data["resident"]["building"] == "3栋"
    assert data["ratings_given"][0]["comment"] == "谢谢"
    dumped = json.dumps(data, ensure_ascii=False)
    assert "13999998888" not in dumped and "张大妈" not in dumped and "别人的心愿" not in dumped
    assert "13900001111" not in dumped and "李建国" not in dumped  # the member who served: masked
    assert "李*" in dumped
    assert data["wishes"][0]["events"][0]["at"].endswith("+08:00")  # times in Asia/Shanghai


async def test_mydata_of_a_member_includes_their_service_ledger(db, catalogue):
    w = await build_world(db, catalogue)
    wish = await _rated(w, comment="好")
    async with db.read() as s:
        data = json.loads(await export_json(s, actor_id=w.members[0], tz=catalogue_tz()))
    assert data["member"]["work_unit"] == "区供电公司"
    assert [t["number"] for t in data["member"]["ledger"]] == [wish.number]
    assert data["wishes"] == []
    assert "13812341234" not in json.dumps(data)  # the resident they served stays masked


def catalogue_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


async def test_events_count_grows_only_by_the_moves_forgetting_makes(db, catalogue):
    w = await build_world(db, catalogue)
    await assigned(w)
    events = await s_max(db, WishEvent.id)
    await _forget(db, w.resident_id)
    async with db.read() as s:
        assert await s.scalar(select(func.count()).select_from(WishEvent).where(WishEvent.id > events)) == 1
