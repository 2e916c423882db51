"""A Party member registers through the bot (在职党员报到) and is told when staff decide."""

from sqlalchemy import select

from bot.flows.io import Kind
from models import MemberProfile, Outbox, User
from services.branches import add_branch, add_staff, grids_of
from tests.flows.harness import Chat, Person, last_text


def test_a_member_joins_by_deep_link_choosing_grid_skills_and_times_and_staff_approve(db, catalogue):
    with db.write() as s:
        branch = add_branch(s, code="A", name="幸福社区", grids=["一网格", "二网格"])
        grid_two = grids_of(s, branch.id)[1].id
        add_staff(s, telegram_id=900, branch_code="A")
    chat, li, staff = Chat(db, catalogue), Person(901, "李建国"), Person(900, "张书记")
    chat.command(li, "start", "m_A")
    assert "姓名" in last_text(li)
    chat.text(li, "李建国")
    chat.send(li, Kind.contact, phone="13900001111", contact_user_id=901)
    chat.press(li, "二网格")
    chat.text(li, "区供电公司")
    chat.press(li, "维修")
    chat.press(li, "数码")
    chat.press(li, "维修")  # pressed again: chosen no longer
    chat.press(li, "选好了")
    chat.press(li, "周末")
    chat.press(li, "选好了")
    summary = last_text(li)
    assert (
        "区供电公司" in summary and "数码" in summary and "维修" not in summary and "139 0000 1111" in summary
    )
    chat.press(li, "提交")
    assert "等待社区审核" in last_text(li)
    with db.read() as s:
        profile = s.scalar(select(MemberProfile))
        alert = s.scalar(select(Outbox).where(Outbox.key == "staff.member_registered"))
    assert (profile.status, profile.grid_id, profile.skills, profile.availability) == (
        "pending",
        grid_two,
        ["digital"],
        ["weekend"],
    )
    chat.command(staff, "members")
    chat.press(staff, "通过")
    with db.read() as s:
        profile = s.scalar(select(MemberProfile))
        member = s.scalar(select(User).where(User.telegram_id == 901))
        told = s.scalar(select(Outbox.key).where(Outbox.user_id == member.id).order_by(Outbox.id.desc()))
    assert (profile.status, told, alert.params["member_id"]) == ("approved", "member.approved", member.id)


def test_choosing_no_skill_is_refused_politely_and_asked_again(db, catalogue):
    with db.write() as s:
        add_branch(s, code="A", name="幸福社区", grids=[])
    chat, li = Chat(db, catalogue), Person(902, "李")
    chat.command(li, "join")
    chat.text(li, "李")
    chat.text(li, "13900001111")
    chat.text(li, "区税务局")
    out = chat.press(li, "选好了")
    assert "至少选择一项" in out[0].text and "擅长" in out[1].text
