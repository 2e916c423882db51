"""Members take, decline, claim, do and hand back wishes by pressing buttons."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, update

from bot.flows import verbs
from bot.flows.io import Answer, Button, Edit, Kind, Message
from models import ConversationState, MemberProfile, Offer, Priority, TimeWindow, Wish, WishEvent
from services import dispatch, people, tasks, wishes
from services.branches import add_branch, add_staff, grids_of
from tests.factories import snapshot
from tests.flows.harness import Chat, Person, find_button, last_text, messages


@dataclass
class Town:
    """One branch, its staff, one resident and two approved members, all reachable by Telegram id."""

    db: object
    catalogue: object
    chat: Chat
    staff_id: int
    resident: Person
    resident_id: int
    members: list[Person] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)


def build_town(db, catalogue, *, member_lang: str = "zh-hans", resident_lang: str = "zh-hans") -> Town:
    town = Town(db, catalogue, Chat(db, catalogue), 0, Person(601, "王秀英", resident_lang), 0)
    with db.write() as s:
        branch = add_branch(s, code="A", name="幸福社区", grids=["一网格", "二网格"])
        grid = grids_of(s, branch.id)[0]
        town.staff_id = add_staff(s, telegram_id=900, branch_code="A").id
        user = people.ensure_user(s, telegram_id=601, display_name="王秀英", language=resident_lang)
        people.register_resident(
            s,
            actor_id=user.id,
            name="王秀英",
            phone="13812341234",
            branch_id=branch.id,
            grid_id=grid.id,
            address=people.Address("幸福小区", "3栋", "2单元", "502"),
        )
        town.resident_id = user.id
        for tg, name in ((701, "李建国"), (702, "赵红梅")):
            member = people.ensure_user(s, telegram_id=tg, display_name=name, language=member_lang)
            people.register_member(
                s,
                actor_id=member.id,
                catalogue=catalogue,
                name=name,
                phone="13900001111",
                branch_id=branch.id,
                grid_id=grid.id,
                work_unit="区供电公司",
                skills=["repair"],
                availability=["weekend"],
            )
            people.decide_member(s, actor_id=town.staff_id, member_user_id=member.id, approve=True)
            town.members.append(Person(tg, name, member_lang))
            town.member_ids.append(member.id)
    return town


def new_wish(town: Town, text: str = "厨房水管漏水", *, resident_id: int | None = None) -> int:
    """A submitted and accepted wish."""
    with town.db.write() as s:
        draft = wishes.WishDraft("repairs", text, TimeWindow.weekend)
        wish = wishes.submit_wish(
            s,
            actor_id=resident_id or town.resident_id,
            draft=draft,
            catalogue=town.catalogue,
            limits=wishes.Limits(),
            today=date.today(),
        )
        wishes.accept_wish(
            s,
            actor_id=town.staff_id,
            wish_id=wish.id,
            category="repairs",
            priority=Priority.normal,
            catalogue=town.catalogue,
        )
        return wish.id


def offer(town: Town, wish_id: int, member: int = 0) -> None:
    with town.db.write() as s:
        member_id = town.member_ids[member]
        dispatch.offer_wish(s, actor_id=town.staff_id, wish_id=wish_id, member_id=member_id)


def assigned(town: Town, member: int = 0) -> int:
    wish_id = new_wish(town)
    offer(town, wish_id, member)
    with town.db.write() as s:
        found = dispatch.open_offer_for(s, wish_id=wish_id, member_id=town.member_ids[member])
        dispatch.take_offer(s, actor_id=town.member_ids[member], offer_id=found.id)
    return wish_id


def notify(town: Town, person: Person, text: str, *buttons: tuple[str, str, tuple[int, ...]]) -> None:
    """Stand in for the notification renderer: a message with buttons the person can press."""
    codec = town.chat.deps.codec
    rows = [[Button(label, codec.encode(verb, *ids)) for label, verb, ids in buttons]]
    person.seen.append(Message(text, buttons=rows))


def offer_note(town: Town, person: Person, wish_id: int) -> None:
    buttons = ("接单", verbs.TAKE, (wish_id,)), ("婉拒", verbs.DECLINE, (wish_id,))
    notify(town, person, "新的服务邀请", *buttons)


def wish_row(db, wish_id: int) -> Wish:
    with db.read() as s:
        return s.get(Wish, wish_id)


def test_a_member_declines_an_offer_with_a_reason_button(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = new_wish(town)
    offer(town, wish_id)
    li = town.members[0]
    offer_note(town, li, wish_id)
    town.chat.press(li, "婉拒")
    assert "原因" in last_text(li)
    town.chat.press(li, "时间冲突")
    assert "已婉拒心愿 A-0001" in last_text(li)
    with db.read() as s:
        row = s.scalar(select(Offer).where(Offer.wish_id == wish_id))
    assert (row.status, row.decline_reason) == ("declined", "时间冲突")
    assert wish_row(db, wish_id).status == "accepted"


def test_a_member_declines_with_a_typed_reason(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = new_wish(town)
    offer(town, wish_id)
    li = town.members[0]
    offer_note(town, li, wish_id)
    town.chat.press(li, "婉拒")
    town.chat.press(li, "其他原因")
    assert "写一下原因" in last_text(li)
    town.chat.text(li, "这周出差在外地")
    assert "已婉拒" in last_text(li)
    with db.read() as s:
        assert s.scalar(select(Offer.decline_reason)) == "这周出差在外地"


def test_taking_an_offer_shows_the_contact_and_the_next_buttons(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = new_wish(town)
    offer(town, wish_id)
    li = town.members[0]
    offer_note(town, li, wish_id)
    out = town.chat.press(li, "接单")
    assert any(isinstance(o, Edit) and "A-0001" in o.text for o in out)
    text = messages(out)[0].text
    assert "138 1234 1234" in text and "幸福小区 3栋 2单元 502" in text and "王秀英" in text
    for label in ("出发", "已办结", "无法完成"):
        find_button(li, label)
    wish = wish_row(db, wish_id)
    assert (wish.status, wish.assigned_member_id) == ("assigned", town.member_ids[0])
    out = town.chat.press(li, "接单")  # a double tap shows the job again
    assert "138 1234 1234" in messages(out)[0].text


def test_pressing_someone_elses_take_button_is_refused_and_changes_nothing(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = new_wish(town)
    offer(town, wish_id, member=0)
    li, zhao = town.members
    offer_note(town, li, wish_id)
    before = snapshot(db)
    out = town.chat.send(zhao, Kind.button, data=find_button(li, "接单").data)
    assert isinstance(out[-1], Answer) and out[-1].alert and "失效" in out[-1].text
    assert not any("138 1234 1234" in getattr(o, "text", "") for o in out)
    assert snapshot(db) == before


def test_complete_form_checks_the_hours_and_asks_again(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = assigned(town)
    li = town.members[0]
    notify(town, li, "任务", ("出发", verbs.START, (wish_id,)))
    town.chat.press(li, "出发")
    assert "已出发" in last_text(li)
    assert wish_row(db, wish_id).status == "in_progress"
    town.chat.press(li, "已办结")
    assert "办理情况" in last_text(li)
    town.chat.text(li, "换了新水管，试过不漏了")
    assert "多长时间" in last_text(li)
    for bad in ("很久", "30", "0"):
        out = town.chat.text(li, bad)
        texts = [m.text for m in messages(out)]
        assert "0 到 24 小时" in texts[0] and "多长时间" in texts[1]
    town.chat.text(li, "１.５小时")
    assert "照片" in last_text(li)
    town.chat.send(li, Kind.photo, file_id="photo-1")
    assert "已办结心愿 A-0001，共 1.5 小时" in last_text(li)
    wish = wish_row(db, wish_id)
    assert (wish.status, wish.hours_spent, wish.completion_photo_file_id) == ("completed", 1.5, "photo-1")
    assert wish.completion_note == "换了新水管，试过不漏了"


def test_complete_with_an_hours_button_and_no_photo(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = assigned(town)
    li = town.members[0]
    town.chat.command(li, "mytasks")
    assert "待出发" in last_text(li) and "138 1234 1234" in last_text(li)
    town.chat.press(li, "已办结")
    town.chat.text(li, "陪老人去了医院")
    town.chat.press(li, "2 小时")
    town.chat.press(li, "跳过")
    assert "共 2 小时" in last_text(li)
    assert wish_row(db, wish_id).hours_spent == 2


def test_a_member_drops_a_task_with_a_typed_reason(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = assigned(town)
    li = town.members[0]
    town.chat.command(li, "mytasks")
    town.chat.press(li, "无法完成")
    town.chat.press(li, "其他原因")
    town.chat.text(li, "家里老人住院了")
    assert "重新安排" in last_text(li)
    wish = wish_row(db, wish_id)
    assert (wish.status, wish.assigned_member_id) == ("accepted", None)
    with db.read() as s:
        assert s.scalar(select(WishEvent.note).order_by(WishEvent.id.desc())) == "家里老人住院了"
    out = town.chat.press(li, "已办结")  # an old button, after the job went back
    assert isinstance(out[-1], Answer) and out[-1].alert


def test_the_wall_lists_wishes_without_contact_and_the_first_claim_wins(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = new_wish(town, "帮忙取一下药")
    with db.write() as s:
        dispatch.post_to_wall(s, actor_id=town.staff_id, wish_id=wish_id)
    li, zhao = town.members
    town.chat.text(li, "🧱 心愿墙")
    town.chat.command(zhao, "wall")
    wall = last_text(li)
    for fact in ("A-0001", "维修疏通", "一网格", "周末", "帮忙取一下药"):
        assert fact in wall
    assert "1381234" not in wall and "502" not in wall
    out = town.chat.press(li, "认领 A-0001")
    assert "138 1234 1234" in messages(out)[0].text
    out = town.chat.press(zhao, "认领 A-0001")
    assert isinstance(out[-1], Answer) and out[-1].alert and "已经有其他党员接了" in out[-1].text
    wish = wish_row(db, wish_id)
    assert (wish.status, wish.assigned_member_id) == ("assigned", town.member_ids[0])


def test_the_wall_refuses_non_members_and_is_friendly_when_empty(db, catalogue):
    town = build_town(db, catalogue)
    town.chat.command(town.resident, "wall")
    assert "/join" in last_text(town.resident)
    town.chat.command(town.members[0], "wall")
    assert "暂时没有" in last_text(town.members[0])


def test_me_shows_the_figures_and_pause_resume(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = assigned(town)
    with db.write() as s:
        tasks.complete_task(s, actor_id=town.member_ids[0], wish_id=wish_id, note="修好了", hours=1.5)
        tasks.rate_wish(s, actor_id=town.resident_id, wish_id=wish_id, score=4)
    li = town.members[0]
    town.chat.command(li, "me")
    record = last_text(li)
    for figure in ("1.5 小时", "已确认完成：1 单", "4.0 ★", "正常接单", "正在办理：0 单"):
        assert figure in record
    town.chat.command(li, "pause")
    assert "已暂停接单" in last_text(li)
    town.chat.command(li, "me")
    assert "暂停接单中" in last_text(li)
    town.chat.command(li, "wall")
    assert "/resume" in last_text(li)
    town.chat.command(li, "resume")
    assert "恢复接单" in last_text(li)


def test_an_english_member_sees_english(db, catalogue):
    town = build_town(db, catalogue, member_lang="en")
    wish_id = new_wish(town)
    offer(town, wish_id)
    li = town.members[0]
    offer_note(town, li, wish_id)
    out = town.chat.press(li, "接单")
    text = messages(out)[0].text
    assert "You took wish A-0001" in text and "Repairs and drains" in text and "Address:" in text
    find_button(li, "Set off")
    town.chat.command(li, "me")
    assert "My service record" in last_text(li) and "not rated yet" in last_text(li)


def test_a_form_whose_wish_changed_meanwhile_ends_politely(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = assigned(town)
    li = town.members[0]
    town.chat.command(li, "mytasks")
    town.chat.press(li, "已办结")
    town.chat.text(li, "修好了")
    town.chat.press(li, "1 小时")
    with db.write() as s:  # staff take the job back while the member is typing
        dispatch.release_wish(s, actor_id=town.staff_id, wish_id=wish_id, reason="改派")
    out = town.chat.press(li, "跳过")
    assert isinstance(out[-1], Answer) and out[-1].alert and "不能这样操作" in out[-1].text
    assert wish_row(db, wish_id).status == "accepted"
    with db.read() as s:
        assert s.scalar(select(ConversationState)) is None
    town.chat.text(li, "你好")
    assert "按钮" in last_text(li)  # out of the form: the ordinary menu answer


def test_a_member_suspended_after_an_offer_pressing_take_is_told_politely_and_sees_no_contact(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = new_wish(town)
    offer(town, wish_id)
    li = town.members[0]
    offer_note(town, li, wish_id)
    with db.write() as s:
        people.suspend_member(s, actor_id=town.staff_id, member_user_id=town.member_ids[0], reason="爽约")
    before = snapshot(db)
    out = town.chat.press(li, "接单")
    assert isinstance(out[-1], Answer) and out[-1].alert and "暂停" in out[-1].text
    assert not any("138 1234 1234" in getattr(o, "text", "") for o in out)
    assert snapshot(db) == before
    assert wish_row(db, wish_id).status == "accepted"


def test_a_paused_member_pressing_take_on_an_earlier_offer_is_refused(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = new_wish(town)
    offer(town, wish_id)
    li = town.members[0]
    offer_note(town, li, wish_id)
    town.chat.command(li, "pause")
    out = town.chat.press(li, "接单")
    assert isinstance(out[-1], Answer) and out[-1].alert
    assert not any("138 1234 1234" in getattr(o, "text", "") for o in out)
    wish = wish_row(db, wish_id)
    assert (wish.status, wish.assigned_member_id) == ("accepted", None)


def test_a_member_whose_status_changed_with_no_revocation_still_cannot_take_or_see_the_job(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = new_wish(town)
    offer(town, wish_id)
    job = assigned(town, 1)
    li, zhao = town.members
    offer_note(town, li, wish_id)
    notify(town, zhao, "新的服务邀请", ("接单", verbs.TAKE, (job,)))
    with db.write() as s:  # a status set directly, say by an operator: no offer was closed
        s.execute(update(MemberProfile).values(status="paused"))
    before = snapshot(db)
    for member in (li, zhao):
        out = town.chat.press(member, "接单")
        assert isinstance(out[-1], Answer) and out[-1].alert and "/resume" in out[-1].text
        assert not any("138 1234 1234" in getattr(o, "text", "") for o in out)
    assert snapshot(db) == before
