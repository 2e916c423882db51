"""Residents list and view their wishes, cancel, rate and say a job was not done."""

from sqlalchemy import select

from bot.flows import verbs
from bot.flows.io import Answer, Edit, Kind
from models import Rating, WishEvent
from services import people, tasks
from services.actors import load_actor
from tests.factories import snapshot
from tests.flows.harness import Person, find_button, last_text, messages
from tests.flows.test_member_flows import Town, assigned, build_town, new_wish, notify, wish_row


def completed(town: Town) -> int:
    wish_id = assigned(town)
    with town.db.write() as s:
        tasks.complete_task(s, actor_id=town.member_ids[0], wish_id=wish_id, note="换了水管", hours=1.5)
    return wish_id


def neighbour(town: Town) -> Person:
    """A second resident of the same branch."""
    with town.db.write() as s:
        user = people.ensure_user(s, telegram_id=602, display_name="孙大妈")
        branch_id = load_actor(s, town.member_ids[0]).member_branch
        people.register_resident(
            s,
            actor_id=user.id,
            name="孙大妈",
            phone="13700002222",
            branch_id=branch_id,
            grid_id=None,
            address=people.Address("和平小区", "1栋", "", "101"),
        )
    return Person(602, "孙大妈")


def press_exact(town: Town, person: Person, label: str) -> list:
    """Press the newest button whose label is exactly `label` (★★★★ is inside ★★★★★)."""
    for output in reversed(person.seen):
        for row in getattr(output, "buttons", []):
            for button in row:
                if button.text == label:
                    return town.chat.send(person, Kind.button, data=button.data)
    raise AssertionError(f"no button {label!r}")


def test_a_resident_lists_and_views_wishes(db, catalogue):
    town = build_town(db, catalogue)
    grandma = town.resident
    town.chat.text(grandma, "📋 我的心愿")
    assert "还没有提交过心愿" in last_text(grandma)
    new_wish(town, "厨房水管漏水")
    new_wish(town, "帮忙取药")
    town.chat.text(grandma, "📋 我的心愿")
    listing = last_text(grandma)
    assert "A-0001" in listing and "A-0002" in listing and "已受理，正在安排党员" in listing
    out = town.chat.press(grandma, "查看 A-0001")
    text = messages(out)[0].text
    assert "厨房水管漏水" in text and "办理经过" in text and "已提交，等待社区受理" in text
    assert "13812341234" not in text  # her own contact is not repeated back
    find_button(grandma, "撤销")


def test_a_resident_cancels_only_after_confirming(db, catalogue):
    town = build_town(db, catalogue)
    grandma = town.resident
    wish_id = new_wish(town)
    town.chat.command(grandma, "mywishes")
    town.chat.press(grandma, "查看 A-0001")
    town.chat.press(grandma, "撤销这个心愿")
    assert "确定要撤销心愿 A-0001" in last_text(grandma)
    out = town.chat.press(grandma, "不撤销了")
    assert any(isinstance(o, Edit) and "继续" in o.text for o in out)
    assert wish_row(db, wish_id).status == "accepted"
    town.chat.press(grandma, "撤销这个心愿")
    out = town.chat.press(grandma, "确定撤销")
    assert any(isinstance(o, Edit) and "已撤销" in o.text for o in out)
    assert wish_row(db, wish_id).status == "cancelled"
    out = town.chat.press(grandma, "确定撤销")  # a second press of the same button
    assert isinstance(out[-1], Answer) and out[-1].alert


def test_a_resident_rates_with_stars_and_adds_a_comment(db, catalogue):
    town = build_town(db, catalogue)
    grandma = town.resident
    wish_id = completed(town)
    town.chat.command(grandma, "mywishes")
    assert "已办结，请您评价" in last_text(grandma)
    town.chat.press(grandma, "查看 A-0001")
    assert "换了水管" in last_text(grandma)  # the member's completion note is hers to read
    out = press_exact(town, grandma, "★★★★")
    assert any(isinstance(o, Edit) and "★★★★" in o.text for o in out)
    assert "还想对志愿者说点什么" in last_text(grandma)
    town.chat.text(grandma, "小李很耐心，谢谢！")
    assert "转告志愿者" in last_text(grandma)
    with db.read() as s:
        rating = s.scalar(select(Rating))
    assert (rating.score, rating.comment) == (4, "小李很耐心，谢谢！")
    assert wish_row(db, wish_id).status == "confirmed"


def test_rating_from_the_notification_and_skipping_the_comment(db, catalogue):
    town = build_town(db, catalogue)
    grandma = town.resident
    wish_id = completed(town)
    stars = [("★" * n, verbs.RATE, (wish_id, n)) for n in range(5, 0, -1)]
    notify(town, grandma, "您的心愿 A-0001 已办结", *stars, ("没有办好", verbs.DISPUTE, (wish_id,)))
    press_exact(town, grandma, "★★★★★")
    town.chat.press(grandma, "不用了")
    assert "感谢您的评价" in last_text(grandma)
    out = press_exact(town, grandma, "★")  # a stale second rating
    assert isinstance(out[-1], Answer) and out[-1].alert
    with db.read() as s:
        assert s.scalar(select(Rating)).score == 5


def test_a_resident_says_the_job_was_not_done(db, catalogue):
    town = build_town(db, catalogue)
    grandma = town.resident
    wish_id = completed(town)
    notify(town, grandma, "您的心愿 A-0001 已办结", ("没有办好", verbs.DISPUTE, (wish_id,)))
    town.chat.press(grandma, "没有办好")
    assert "哪里没有办好" in last_text(grandma)
    town.chat.text(grandma, "水管还在漏水")
    assert "确认告诉社区" in last_text(grandma) and "水管还在漏水" in last_text(grandma)
    assert wish_row(db, wish_id).status == "completed"
    town.chat.press(grandma, "确认")
    assert "会尽快联系您" in last_text(grandma)
    assert wish_row(db, wish_id).status == "disputed"
    with db.read() as s:
        assert s.scalar(select(WishEvent.note).order_by(WishEvent.id.desc())) == "水管还在漏水"


def test_a_dispute_can_be_sent_without_a_note(db, catalogue):
    town = build_town(db, catalogue)
    grandma = town.resident
    wish_id = completed(town)
    notify(town, grandma, "已办结", ("没有办好", verbs.DISPUTE, (wish_id,)))
    town.chat.press(grandma, "没有办好")
    town.chat.press(grandma, "直接提交")
    town.chat.press(grandma, "确认")
    assert wish_row(db, wish_id).status == "disputed"


def test_another_resident_cannot_view_or_rate_someone_elses_wish(db, catalogue):
    town = build_town(db, catalogue)
    grandma = town.resident
    completed(town)
    town.chat.command(grandma, "mywishes")
    town.chat.press(grandma, "查看 A-0001")
    sun = neighbour(town)
    before = snapshot(db)
    for data in (
        find_button(grandma, "查看").data,
        find_button(grandma, "★★★★★").data,
        find_button(grandma, "没有办好").data,
    ):
        out = town.chat.send(sun, Kind.button, data=data)
        assert isinstance(out[-1], Answer) and out[-1].alert and "不能" in out[-1].text
        assert not messages(out)
    assert snapshot(db) == before


def test_the_assigned_member_and_staff_may_view_with_contact_others_not(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = assigned(town)
    li, zhao = town.members
    notify(town, li, "任务", ("查看", verbs.VIEW, (wish_id,)))
    out = town.chat.press(li, "查看")
    assert "138 1234 1234" in messages(out)[0].text
    find_button(li, "出发")
    staff = Person(900, "社区小王")
    notify(town, staff, "心愿", ("查看", verbs.VIEW, (wish_id,)))
    out = town.chat.press(staff, "查看")
    assert "138 1234 1234" in messages(out)[0].text
    out = town.chat.send(zhao, Kind.button, data=find_button(li, "查看").data)
    assert isinstance(out[-1], Answer) and out[-1].alert and not messages(out)


def test_an_english_resident_sees_english(db, catalogue):
    town = build_town(db, catalogue, resident_lang="en")
    new_wish(town)
    grandma = town.resident
    town.chat.command(grandma, "mywishes")
    assert "Your wishes" in last_text(grandma) and "Accepted, finding a volunteer" in last_text(grandma)
    town.chat.press(grandma, "View A-0001")
    assert "What has happened" in last_text(grandma) and "Repairs and drains" in last_text(grandma)
    find_button(grandma, "Cancel this wish")
