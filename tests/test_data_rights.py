"""Forgetting (/forgetme, `sandan user forget`) and the /mydata export, at the service level."""

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


def _telegram_id(db, user_id: int) -> int:
    with db.read() as s:
        return s.scalar(select(User.telegram_id).where(User.id == user_id))


def _counts(db) -> dict:
    with db.read() as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m))
            for m in (User, Wish, Rating, MemberProfile, ResidentProfile)
        } | {"hours": s.scalar(select(func.sum(MemberProfile.hours_total)))}


def _forget(db, user_id: int, actor_id: int | None = None):
    with db.write() as s:
        return forget_user(s, actor_id=user_id if actor_id is None else actor_id, user_id=user_id)


def _rated(w, *, comment: str) -> Wish:
    wish = completed(w)
    with w.db.write() as s:
        return tasks.rate_wish(s, actor_id=w.resident_id, wish_id=wish.id, score=2, comment=comment)


def test_a_resident_who_forgets_ends_their_wishes_and_leaves_no_contact_behind(db, catalogue):
    w = build_world(db, catalogue)
    _rated(w, comment=f"没修好，找{NAME}打{PHONE}")  # a low rating opens a follow-up visit
    wish = assigned(w)
    with db.write() as s:
        s.execute(update(Wish).where(Wish.id == wish.id).values(text=SECRET_TEXT))
    waiting = submit(w, text=f"换灯泡 {PHONE}")
    telegram_id = _telegram_id(db, w.resident_id)
    with db.write() as s:
        s.add(ConversationState(telegram_id=telegram_id, flow="wish", step="text", data={"phone": PHONE}))
    before = _counts(db)
    since = s_max(db, Outbox.id)

    done = _forget(db, w.resident_id)

    assert sorted(done.cancelled) == sorted([wish.number, waiting.number])
    with db.read() as s:
        notes = (s.execute(select(Outbox.user_id, Outbox.key, Outbox.wish_id).where(Outbox.id > since))).all()
        statuses = dict(s.execute(select(Wish.id, Wish.status)).all())
        user = s.get(User, w.resident_id)
        profile = s.scalar(select(ResidentProfile).where(ResidentProfile.user_id == w.resident_id))
        texts = s.scalars(select(Wish.text)).all() + s.scalars(select(Rating.comment)).all()
        states = s.scalars(select(ConversationState.telegram_id)).all()
        visits_open = s.scalar(select(func.count()).select_from(FollowUp).where(FollowUp.done_at.is_(None)))
        to_them = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.user_id == w.resident_id))
        member_sees = tasks_or_refusal(s, w.members[0], wish.id)
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
    assert _counts(db) == before  # the statistics: every row and hour is still there

    with db.write() as s:  # the same Telegram account, writing again
        again = arrival.arrive(s, telegram_id=telegram_id, display_name="新用户")
    assert again.user.id != w.resident_id
    assert not _is_resident(db, again.user.id)


def s_max(db, column) -> int:
    with db.read() as s:
        return s.scalar(select(func.coalesce(func.max(column), 0)))


def tasks_or_refusal(s, member_id: int, wish_id: int):
    try:
        return privacy.reveal_contact(s, actor_id=member_id, wish_id=wish_id)
    except NotAllowed as exc:
        return exc


def _is_resident(db, user_id: int) -> bool:
    with db.read() as s:
        return s.scalar(select(ResidentProfile.id).where(ResidentProfile.user_id == user_id)) is not None


def test_a_member_who_forgets_hands_their_offers_and_tasks_back_and_keeps_their_hours(db, catalogue):
    w = build_world(db, catalogue)
    _rated(w, comment="很好")  # a confirmed task: hours on the ledger
    task = assigned(w)
    offer_wish, _ = offered(w)
    member = w.members[0]
    with db.read() as s:
        hours = s.scalar(select(MemberProfile.hours_total).where(MemberProfile.user_id == member))

    done = _forget(db, member)

    assert done.tasks_returned == [task.number] and done.offers_returned == [offer_wish.number]
    assert "member" in done.roles_removed
    with db.read() as s:
        profile = s.scalar(select(MemberProfile).where(MemberProfile.user_id == member))
        statuses = dict(s.execute(select(Wish.id, Wish.status)).all())
        confirmed = s.scalar(select(func.count()).select_from(Wish).where(Wish.assigned_member_id == member))
    assert statuses[task.id] == statuses[offer_wish.id] == S.accepted
    assert (profile.status, profile.work_unit, profile.hours_total) == (MemberStatus.paused, "", hours)
    assert confirmed == 1  # the confirmed task still counts as theirs


def test_forgetting_removes_staff_and_admin_rights(db, catalogue):
    build_world(db, catalogue)
    with db.write() as s:
        staff_id, admin_id = new_staff(s, "A"), new_admin(s)
    for uid in (staff_id, admin_id):
        _forget(db, uid)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Staff).where(Staff.user_id == staff_id)) == 0
        assert not s.scalar(select(User.is_admin).where(User.id == admin_id))


def test_nobody_but_the_user_or_an_admin_may_forget_them_and_nobody_twice(db, catalogue):
    w = build_world(db, catalogue)
    with pytest.raises(NotAllowed):
        _forget(db, w.resident_id, actor_id=w.staff_id)
    with db.read() as s:
        assert s.scalar(select(User.phone).where(User.id == w.resident_id)) == "+86" + PHONE
    with db.write() as s:
        admin = new_admin(s)
    _forget(db, w.resident_id, actor_id=admin)
    with pytest.raises(NotFound):
        _forget(db, w.resident_id, actor_id=admin)


def test_the_cli_forgets_a_telegram_account_without_printing_personal_data(tmp_path, monkeypatch, catalogue):
    from sandan.cli import app

    db_url = f"sqlite:///{tmp_path / 'cli.db'}"

    db = Database(db_url)
    upgrade(db)
    w = build_world(db, catalogue)
    wish_id = submit(w, text=SECRET_TEXT).id
    telegram_id = _telegram_id(db, w.resident_id)
    db.dispose()
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = CliRunner().invoke(app, ["user", "forget", str(telegram_id)])
    assert result.exit_code == 0, result.output
    assert "A-0001" in result.output and PHONE not in result.output and NAME not in result.output

    db = Database(db_url)
    with db.read() as s:
        found = s.scalar(select(func.count()).select_from(User).where(User.telegram_id == telegram_id))
        text = s.scalar(select(Wish.text).where(Wish.id == wish_id))
    db.dispose()
    assert found == 0 and PHONE not in text
    again = CliRunner().invoke(app, ["user", "forget", str(telegram_id)])
    assert again.exit_code == 1  # nobody has that account any more: said plainly, nothing changed


def test_mydata_holds_the_users_own_wishes_and_nobody_elses_contact(db, catalogue):
    w = build_world(db, catalogue)
    with db.write() as s:
        other = new_resident(s, w.branch_id, w.grid_ids[0], name="张大妈")
        s.execute(update(User).where(User.id == other).values(phone="+8613999998888"))
    mine = _rated(w, comment="谢谢")
    theirs = submit(w, text="别人的心愿", resident_id=other)
    with db.read() as s:
        data = json.loads(export_json(s, actor_id=w.resident_id, tz=catalogue_tz()))
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


def test_mydata_of_a_member_includes_their_service_ledger(db, catalogue):
    w = build_world(db, catalogue)
    wish = _rated(w, comment="好")
    with db.read() as s:
        data = json.loads(export_json(s, actor_id=w.members[0], tz=catalogue_tz()))
    assert data["member"]["work_unit"] == "区供电公司"
    assert [t["number"] for t in data["member"]["ledger"]] == [wish.number]
    assert data["wishes"] == []
    assert "13812341234" not in json.dumps(data)  # the resident they served stays masked


def catalogue_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def test_events_count_grows_only_by_the_moves_forgetting_makes(db, catalogue):
    w = build_world(db, catalogue)
    assigned(w)
    events = s_max(db, WishEvent.id)
    _forget(db, w.resident_id)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(WishEvent).where(WishEvent.id > events)) == 1
