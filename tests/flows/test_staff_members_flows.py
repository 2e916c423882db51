"""Staff review member registrations (党员报到审核) and look members up."""

from sqlalchemy import select

from bot.flows import verbs
from bot.flows.io import Answer, Kind
from bot.flows.staff_members import REINSTATE, SUSPEND
from models import MemberProfile, Outbox, Wish
from tests import factories as f
from tests.flows.harness import Chat, last_text, messages
from tests.flows.test_staff_flows import button, everything, person


def setup(db, catalogue):
    w = f.build_world(db, catalogue, "A")
    other = f.build_world(db, catalogue, "B")
    with db.write() as s:
        pending = [
            f.new_member(s, catalogue, w.branch_id, None, w.staff_id, name=name, approve=False)
            for name in ("钱多多", "孙悟")
        ]
    chat = Chat(db, catalogue)
    staff, other_staff = person(db, w.staff_id, "张社工"), person(db, other.staff_id, "刘社工")
    return w, pending, chat, staff, other_staff


def status_of(db, user_id: int) -> str:
    with db.read() as s:
        return s.scalar(select(MemberProfile.status).where(MemberProfile.user_id == user_id))


def test_pending_registrations_are_approved_or_denied(db, catalogue):
    _, (first, second), chat, staff, _ = setup(db, catalogue)
    out = messages(chat.text(staff, "👥 党员审核"))
    assert "2 份" in out[0].text
    cards = out[1:]
    assert "钱多多" in cards[0].text and "139****1111" in cards[0].text and "13900001111" not in cards[0].text
    assert "区供电公司" in cards[0].text and "维修" in cards[0].text
    chat.send(staff, Kind.button, data=button(cards[0], "通过").data)
    assert "已通过 钱多多" in staff.seen[-2].text
    chat.send(staff, Kind.button, data=button(cards[1], "驳回").data)
    assert "已驳回 孙悟" in staff.seen[-2].text
    assert (status_of(db, first), status_of(db, second)) == ("approved", "rejected")
    sent = f.new_outbox(db)
    assert (first, "member.approved") in sent and (second, "member.registration_rejected") in sent
    out = chat.send(staff, Kind.button, data=button(cards[0], "通过").data)  # pressed again
    assert out[-1].alert and "已经审核过了" in out[-1].text
    chat.command(staff, "members")
    assert "没有待审核" in last_text(staff)


def test_staff_of_another_branch_and_residents_cannot_decide(db, catalogue):
    w, (first, _), chat, _, other_staff = setup(db, catalogue)
    resident = person(db, w.resident_id, "王秀英")
    before = f.snapshot(db)
    chat.command(resident, "members")
    assert "只有本社区的工作人员" in last_text(resident)
    for who in (resident, other_staff):
        for verb in (verbs.APPROVE, verbs.DENY):
            out = chat.send(who, Kind.button, data=chat.deps.codec.encode(verb, first))
            assert isinstance(out[-1], Answer) and out[-1].alert
    chat.command(other_staff, "members")
    assert "钱多多" not in last_text(other_staff)
    assert f.snapshot(db) == before and status_of(db, first) == "pending"


def test_members_are_found_by_name_or_phone(db, catalogue):
    _, _, chat, staff, other_staff = setup(db, catalogue)
    out = messages(chat.command(staff, "members", "李建"))[0]
    assert "李建国" in out.text and "139****1111" in out.text and "可接单" in out.text and "维修" in out.text
    assert "钱多多" not in out.text  # pending members are reviewed, not searched
    out = messages(chat.command(staff, "members", "1390000"))[0]
    assert "找到 3 位党员" in out.text
    chat.command(other_staff, "members", "A 李建")  # a code of a branch they do not staff
    assert "李建国" not in last_text(other_staff)
    chat.command(staff, "members", "没有这个人")
    assert "没有找到" in last_text(staff)


def params_of(db, key: str) -> list[dict]:
    with db.read() as s:
        return list(s.scalars(select(Outbox.params).where(Outbox.key == key)).all())


def test_staff_suspend_a_member_with_a_reason_and_reinstate_them(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    wish, _ = f.offered(w, 0)
    chat.command(staff, "members", "李建")
    chat.press(staff, "暂停资格：李建国")
    assert "原因" in last_text(staff) and "李建国" in last_text(staff)
    chat.text(staff, "   ")  # an empty reason is asked for again
    assert "请写明暂停的原因" in everything(staff)
    assert status_of(db, w.members[0]) == "approved"
    chat.text(staff, "多次爽约")
    assert "已暂停 李建国" in last_text(staff) and "1 个" in last_text(staff)
    assert status_of(db, w.members[0]) == "suspended"
    assert params_of(db, "member.suspended") == [{"reason": "多次爽约"}]
    with db.read() as s:
        assert s.get(Wish, wish.id).status == "accepted"
    chat.command(staff, "members", "李建")
    assert "资格已暂停" in last_text(staff)
    chat.press(staff, "恢复资格：李建国")
    assert "已恢复 李建国" in last_text(staff)
    assert status_of(db, w.members[0]) == "approved"
    assert len(params_of(db, "member.reinstated")) == 1
    out = chat.press(staff, "恢复资格：李建国")  # pressed again
    assert out[-1].alert and "没有暂停" in out[-1].text


def test_staff_of_another_branch_cannot_suspend_or_reinstate_by_a_forged_button(db, catalogue):
    w, _, chat, _, other_staff = setup(db, catalogue)
    resident = person(db, w.resident_id, "王秀英")
    before = f.snapshot(db)
    for who in (other_staff, resident):
        for verb in (SUSPEND, REINSTATE):
            out = chat.send(who, Kind.button, data=chat.deps.codec.encode(verb, w.members[0]))
            assert isinstance(out[-1], Answer) and out[-1].alert
        chat.text(who, "多次爽约")  # no suspension form was opened for them
    assert f.snapshot(db) == before and status_of(db, w.members[0]) == "approved"
