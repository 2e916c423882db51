"""Staff triage, dispatch and the staff view of a wish, driven through the flows."""

from datetime import date

from sqlalchemy import select, update

from bot.flows import verbs
from bot.flows.io import Answer, Button, Edit, Kind, Message
from models import MemberProfile, Outbox, User, Wish
from services import dispatch, tasks
from services.branches import add_staff
from tests import factories as f
from tests.flows.harness import Chat, Person, last_text, messages

RESIDENT_PHONE = "138 1234 1234"  # as shown; stored as +8613812341234
RAW_PHONE = "13812341234"


def person(db, user_id: int, name: str) -> Person:
    with db.read() as s:
        return Person(s.scalar(select(User.telegram_id).where(User.id == user_id)), name)


def setup(db, catalogue):
    """Branch A with staff, a resident and three members; branch B with its own staff."""
    w = f.build_world(db, catalogue, "A")
    other = f.build_world(db, catalogue, "B")
    staff, other_staff = person(db, w.staff_id, "张社工"), person(db, other.staff_id, "刘社工")
    return w, other, Chat(db, catalogue), staff, other_staff


def wish_of(db, wish_id: int) -> Wish:
    with db.read() as s:
        return s.get(Wish, wish_id)


def outbox(db) -> list[tuple[int, str]]:
    return f.new_outbox(db)


def button(output, label: str) -> Button:
    for row in output.buttons:
        for b in row:
            if label in b.text:
                return b
    raise AssertionError(f"no {label!r} in {[b.text for r in output.buttons for b in r]}")


def everything(p: Person) -> str:
    return "\n".join(getattr(o, "text", "") for o in p.seen)


def test_the_queue_lists_oldest_first_five_a_page(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    with db.write() as s:
        second = f.new_resident(s, w.branch_id, w.grid_ids[1], name="孙大妈")
    for i in range(7):
        f.submit(w, text=f"心愿{i}", resident_id=w.resident_id if i < 4 else second)
    out = messages(chat.command(staff, "queue"))
    cards = [m for m in out if m.buttons and "受理" in m.buttons[0][0].text]
    assert [c.text.split("】")[0] for c in cards] == [f"【A-000{i}" for i in range(1, 6)]
    assert "王*" in cards[0].text and "王秀英" not in cards[0].text and "心愿0" in cards[0].text
    more = out[-1]
    assert "下一页" in more.buttons[0][0].text
    out = messages(chat.press(staff, "下一页"))
    assert "第 2 页" in out[0].text
    assert [m.text.split("】")[0] for m in out[1:]] == ["【A-0006", "【A-0007"]
    chat.send(staff, Kind.button, data=button(cards[0], "✅ 受理").data)
    chat.press(staff, "维修疏通")
    chat.press(staff, "普通")  # A-0001 leaves the queue: the next page must not skip A-0006
    out = messages(chat.send(staff, Kind.button, data=button(more, "下一页").data))
    assert [m.text.split("】")[0] for m in out[1:]] == ["【A-0006", "【A-0007"]


def test_accept_with_a_new_category_and_priority_tells_the_resident(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    wish = f.submit(w)
    card = messages(chat.command(staff, "queue"))[1]
    chat.send(staff, Kind.button, data=button(card, "✅ 受理").data)
    edit = staff.seen[-2]
    assert isinstance(edit, Edit) and edit.buttons[0][0].text == "维修疏通"  # the current category first
    chat.press(staff, "家政服务")
    chat.press(staff, "紧急")
    after = wish_of(db, wish.id)
    assert (after.status, after.category, after.priority) == ("accepted", "housework", "urgent")
    assert (w.resident_id, "resident.accepted") in outbox(db)
    assert "已受理心愿 A-0001" in staff.seen[-2].text and "派单" in staff.seen[-2].buttons[0][0].text


def test_reject_with_a_referral_reason(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    wish = f.submit(w, text="想申请低保")
    card = messages(chat.command(staff, "queue"))[1]
    chat.send(staff, Kind.button, data=button(card, "不予受理").data)
    assert "➜转介" in button(staff.seen[-2], "低保").text
    assert "➜转介" not in button(staff.seen[-2], "重复提交").text
    chat.press(staff, "低保")
    after = wish_of(db, wish.id)
    assert (after.status, after.rejection_reason) == ("rejected", "benefits")
    assert (w.resident_id, "resident.rejected") in outbox(db)
    assert "12345" in staff.seen[-2].text


def test_dispatch_ranks_five_with_reasons_and_offers(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    with db.write() as s:
        for name in ("周文", "吴芳", "郑强"):
            f.new_member(s, catalogue, w.branch_id, w.grid_ids[1], w.staff_id, name=name, skills=("legal",))
        s.execute(update(User).where(User.id == w.members[2]).values(unreachable=True))
    wish = f.accepted(w)
    out = messages(chat.command(staff, "dispatch", "A-0001"))[0]
    assert "陈志强" not in out.text  # blocked the bot: an offer would never reach them
    offers = [b for row in out.buttons for b in row if "派给" in b.text]
    assert len(offers) == 5 and "发布到心愿墙" in out.buttons[-1][0].text
    assert "1. 李建国" in out.text and "技能匹配" in out.text and "同网格" in out.text and "分" in out.text
    chat.press(staff, "派给 赵红梅")
    assert "已把心愿 A-0001 派给 赵红梅" in staff.seen[-2].text
    assert wish_of(db, wish.id).status == "offered"
    assert (w.members[1], "member.offer") in outbox(db)


def test_nobody_qualifies_so_the_wall_is_offered(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    with db.write() as s:  # every member of A stops being a candidate
        s.execute(update(MemberProfile).values(status="paused"))
    wish = f.accepted(w)
    chat.command(staff, "dispatch", "A-0001")
    assert "暂时没有合适的党员" in last_text(staff)
    chat.press(staff, "发布到心愿墙")
    assert wish_of(db, wish.id).status == "posted"
    assert "心愿墙" in staff.seen[-2].text


def test_withdraw_from_the_wall_then_dispatch_again(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    wish, _ = f.posted(w)
    chat.command(staff, "wish", "A-0001")
    chat.press(staff, "撤回心愿墙")
    assert wish_of(db, wish.id).status == "accepted"
    chat.press(staff, "派单")
    assert "推荐党员" in last_text(staff)


def test_the_wish_view_shows_contact_only_to_staff_of_its_branch(db, catalogue):
    w, _, chat, staff, other_staff = setup(db, catalogue)
    wish = f.assigned(w)
    with db.write() as s:
        s.execute(update(User).where(User.id == w.resident_id).values(unreachable=True))
    view = messages(chat.command(staff, "wish", "a-0001"))[0]
    assert RESIDENT_PHONE in view.text and "幸福小区 3栋 2单元 502" in view.text
    assert "用户已屏蔽机器人，请电话联系" in view.text and "李建国" in view.text
    assert "时间线" in view.text and "党员已接单" in view.text and "改派" in view.buttons[0][0].text
    out = chat.command(other_staff, "wish", "A-0001")
    assert "没有找到这个心愿" in last_text(other_staff)
    assert RESIDENT_PHONE not in everything(other_staff) and RAW_PHONE not in everything(other_staff)
    view_b = chat.send(other_staff, Kind.button, data=chat.deps.codec.encode("sw", wish.id))
    assert (
        isinstance(view_b[-1], Answer)
        and view_b[-1].alert
        and RESIDENT_PHONE not in str(out + view_b)
        and RAW_PHONE not in str(out + view_b)
    )


def test_a_resident_and_other_branch_staff_cannot_triage(db, catalogue):
    w, _, chat, _staff, other_staff = setup(db, catalogue)
    wish = f.submit(w)
    resident = person(db, w.resident_id, "王秀英")
    before = f.snapshot(db)
    chat.command(resident, "queue")
    assert "只有本社区的工作人员" in last_text(resident)
    for who in (resident, other_staff):
        for data in (
            chat.deps.codec.encode(verbs.ACCEPT, wish.id),
            chat.deps.codec.encode("tp", wish.id, 0, 0),
            chat.deps.codec.encode("tr", wish.id, 0),
            chat.deps.codec.encode(verbs.DISPATCH, wish.id),
        ):
            out = chat.send(who, Kind.button, data=data)
            assert isinstance(out[-1], Answer) and out[-1].alert, out
    out = chat.send(resident, Kind.button, data=f"{verbs.ACCEPT}:{wish.id}~forged00")
    assert "过期" in out[-1].text
    assert f.snapshot(db) == before


def test_release_asks_for_a_reason_then_offers_dispatch(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    wish = f.assigned(w)
    chat.command(staff, "wish", "A-0001")
    chat.press(staff, "改派")
    assert "原因" in last_text(staff)
    chat.text(staff, "党员生病了")
    after = wish_of(db, wish.id)
    assert (after.status, after.assigned_member_id) == ("accepted", None)
    assert (w.members[0], "member.task_withdrawn") in outbox(db)
    assert "派单" in staff.seen[-1].buttons[0][0].text


def test_cancel_needs_a_confirmation(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    wish = f.accepted(w)
    chat.command(staff, "wish", "A-0001")
    chat.press(staff, "撤销心愿")
    assert "确定撤销" in staff.seen[-2].text and wish_of(db, wish.id).status == "accepted"
    chat.press(staff, "返回")
    assert isinstance(staff.seen[-2], Edit) and "时间线" in staff.seen[-2].text
    chat.press(staff, "撤销心愿")
    chat.press(staff, "确定撤销")
    assert wish_of(db, wish.id).status == "cancelled"
    assert (w.resident_id, "resident.cancelled") in outbox(db)


def _disputed(w, db):
    wish = f.completed(w)
    with db.write() as s:
        tasks.dispute_wish(s, actor_id=w.resident_id, wish_id=wish.id, note="水管还在漏")
    return wish


def test_a_dispute_is_closed_with_a_note(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    wish = _disputed(w, db)
    view = messages(chat.command(staff, "wish", "A-0001"))[0]
    labels = [b.text for row in view.buttons for b in row]
    assert any("再跟进" in x for x in labels) and any("重新派单" in x for x in labels)
    chat.press(staff, "结案")
    chat.send(staff, Kind.photo, file_id="x")  # not a note: the question again
    assert "结案说明" in last_text(staff)
    chat.text(staff, "已回访，居民表示满意")
    assert wish_of(db, wish.id).status == "closed"
    sent = outbox(db)
    assert (w.resident_id, "resident.closed") in sent and (w.members[0], "member.closed") in sent


def test_a_dispute_goes_back_to_the_same_member(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    wish = _disputed(w, db)
    chat.command(staff, "wish", "A-0001")
    chat.press(staff, "再跟进")
    chat.text(staff, "请再去看看水管")
    after = wish_of(db, wish.id)
    assert (after.status, after.assigned_member_id) == ("assigned", w.members[0])
    with db.read() as s:
        params = s.scalar(select(Outbox.params).where(Outbox.key == "member.redo"))
    assert params["note"] == "请再去看看水管"


def test_find_lists_matches_with_buttons(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    f.submit(w, text="厨房水管漏水")
    f.submit(w, text="想学用手机")
    out = messages(chat.command(staff, "find", "水管"))[0]
    assert "A-0001" in out.text and "A-0002" not in out.text
    chat.press(staff, "A-0001")
    assert RESIDENT_PHONE in last_text(staff)


def test_staff_of_two_branches_choose_one(db, catalogue):
    _, other, chat, staff, _ = setup(db, catalogue)
    with db.write() as s:
        add_staff(s, telegram_id=staff.telegram_id, branch_code="B")
    f.submit(other, text="B的心愿")
    chat.command(staff, "queue")
    assert "请选择" in last_text(staff)
    out = messages(chat.press(staff, "B B社区"))
    assert "B-0001" in out[1].text
    out = messages(chat.command(staff, "queue", "B"))
    assert "B-0001" in out[1].text


def test_a_stale_accept_button_says_what_happened(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    wish = f.accepted(w)
    out = chat.send(staff, Kind.button, data=chat.deps.codec.encode(verbs.ACCEPT, wish.id))
    assert out[-1].alert and "已经处理过了" in out[-1].text and "/wish A-0001" in out[-1].text
    with db.write() as s:
        dispatch.post_to_wall(s, actor_id=w.staff_id, wish_id=wish.id)
    out = chat.send(staff, Kind.button, data=chat.deps.codec.encode("do", wish.id, w.members[0]))
    assert isinstance(out[-1], Answer) and out[-1].alert and wish_of(db, wish.id).status == "posted"
    assert isinstance(messages(chat.command(staff, "dispatch", "A-0001"))[0], Message)


def test_a_note_for_a_wish_that_moved_on_leaves_the_form(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    wish = f.assigned(w)
    chat.command(staff, "wish", "A-0001")
    chat.press(staff, "改派")
    with db.write() as s:  # the member drops out first
        dispatch.release_wish(s, actor_id=w.members[0], wish_id=wish.id, reason="临时出差")
    chat.text(staff, "党员生病了")
    assert "不能这样操作" in last_text(staff)
    chat.text(staff, "你好")
    assert "点下面的按钮" in last_text(staff)  # no longer in the form


def test_plain_wish_still_posts_and_residents_never_get_the_staff_view(db, catalogue):
    w, _, chat, staff, _ = setup(db, catalogue)
    f.submit(w)
    resident = person(db, w.resident_id, "王秀英")
    chat.command(resident, "wish", "A-0001")
    assert (
        "哪方面" in last_text(resident)
        and RESIDENT_PHONE not in everything(resident)
        and RAW_PHONE not in everything(resident)
    )
    chat.command(staff, "wish")
    assert "登记" in everything(staff)  # staff are not residents: registration comes first


def test_english_staff_get_english(db, catalogue):
    from services.people import set_language

    w, _, chat, staff, _ = setup(db, catalogue)
    with db.write() as s:
        set_language(s, actor_id=w.staff_id, language="en")
    f.submit(w)
    out = messages(chat.command(staff, "queue"))
    assert "oldest first" in out[0].text and "Accept" in out[1].buttons[0][0].text
    chat.send(staff, Kind.button, data=button(out[1], "Reject").data)
    assert "referral" in button(staff.seen[-2], "Benefit").text


def test_staff_hear_the_voice_message_of_a_voice_only_wish(db, catalogue):
    from bot.flows.io import Media
    from services import wishes as wish_service

    w, _, chat, staff, _ = setup(db, catalogue)
    with db.write() as s:
        wish = wish_service.submit_wish(
            s,
            actor_id=w.resident_id,
            catalogue=catalogue,
            limits=w.limits,
            today=date.today(),
            draft=wish_service.WishDraft("repairs", "", voice_file_id="VOICE-1", photo_file_ids=("PHOTO-1",)),
        )
    out = chat.command(staff, "wish", wish.number)
    assert [(m.file_id, m.voice) for m in out if isinstance(m, Media)] == [
        ("PHOTO-1", False),
        ("VOICE-1", True),
    ]
