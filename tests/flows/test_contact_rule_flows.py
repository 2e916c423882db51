"""The one contact rule on screen: /wish shows what /export shows, and contacts go out protected.

Staff of the wish's branch, and an admin who is also staff there, see the resident in full; an
admin who is not gets 张*, 138****1234, no address and the text scrubbed; staff of another
branch get nothing. A message showing a contact is sent with protect_content.
"""

from io import BytesIO

from openpyxl import load_workbook

from bot.flows import verbs
from bot.flows.io import Kind, Message
from bot.i18n import t
from models import User
from services.branches import add_staff
from services.reports.export import export_workbook
from services.reports.periods import month_period
from tests.factories import build_world, new_admin, submit, try_use_case
from tests.flows.harness import Chat, Person, messages

TYPED = "请打13912345678找我，住5栋3单元402"
FULL = ("王秀英", "138 1234 1234", "幸福小区 3栋 2单元 502", TYPED, "李建国")
HIDDEN = ("王秀英", "1234 1234", "13812341234", "幸福小区", "13912345678", "3单元402", "李建国")


def person_of(db, user_id: int) -> Person:
    with db.read() as s:
        return Person(s.get(User, user_id).telegram_id, "x")


def taken_wish(w):
    wish = submit(w, text=TYPED)
    try_use_case(w.db, "accept", w.staff_id, wish.id, w.catalogue)
    offer = try_use_case(w.db, "offer", w.staff_id, wish.id, w.catalogue, member_id=w.members[0])
    return try_use_case(w.db, "take", w.members[0], wish.id, w.catalogue, offer_id=offer.id)


def admin_of(db, *codes: str) -> int:
    with db.write() as s:
        admin = new_admin(s)
        for code in codes:
            add_staff(s, telegram_id=s.get(User, admin).telegram_id, branch_code=code)
    return admin


def staff_view(chat, db, user_id: int, number: str) -> Message:
    [view] = messages(chat.command(person_of(db, user_id), "wish", number))
    return view


def exported_row(db, catalogue, actor_id: int) -> dict:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    today = datetime.now(tz).date()
    with db.read() as s:
        data = export_workbook(
            s, actor_id=actor_id, branch_id=None, period=month_period(today.year, today.month), tz=tz,
            catalogue=catalogue, lang="zh", tr=lambda key: t("zh", key),
        )  # fmt: skip
    values = list(load_workbook(BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    return dict(zip(values[0], values[1], strict=True))


def test_staff_of_the_branch_see_the_contact_in_full_in_a_protected_message(db, catalogue):
    w = build_world(db, catalogue)
    wish = taken_wish(w)
    view = staff_view(Chat(db, catalogue), db, w.staff_id, wish.number)
    assert all(part in view.text for part in FULL) and view.protect


def test_staff_of_another_branch_see_nothing_of_the_wish(db, catalogue):
    w = build_world(db, catalogue, "A")
    other = build_world(db, catalogue, "B")
    wish = taken_wish(w)
    view = staff_view(Chat(db, catalogue), db, other.staff_id, wish.number)
    assert not any(part in view.text for part in HIDDEN) and wish.number not in view.text


def test_an_admin_not_staff_of_the_branch_sees_the_contact_masked_on_screen_as_in_export(db, catalogue):
    w = build_world(db, catalogue)
    wish = taken_wish(w)
    admin = admin_of(db)
    view = staff_view(Chat(db, catalogue), db, admin, wish.number)
    assert wish.number in view.text and not any(part in view.text for part in HIDDEN), view.text
    assert "居民：王*" in view.text and "电话：138****1234" in view.text and "李*" in view.text
    assert "请打**找我" in view.text and not view.protect
    row = exported_row(db, catalogue, admin)
    assert (row["居民"], row["电话"], row["地址"], row["党员"]) == ("王*", "138****1234", None, "李*")


def test_an_admin_who_is_staff_of_the_branch_sees_it_in_full_on_screen_as_in_export(db, catalogue):
    w = build_world(db, catalogue)
    wish = taken_wish(w)
    admin = admin_of(db, "A")
    view = staff_view(Chat(db, catalogue), db, admin, wish.number)
    assert all(part in view.text for part in FULL) and view.protect
    row = exported_row(db, catalogue, admin)
    assert (row["居民"], row["电话"], row["地址"]) == ("王秀英", "+8613812341234", "幸福小区 3栋 2单元 502")


def test_the_wish_view_shows_the_contact_to_the_assigned_member_protected_and_no_one_else(db, catalogue):
    w = build_world(db, catalogue)
    wish = taken_wish(w)
    chat = Chat(db, catalogue)
    data = chat.deps.codec.encode(verbs.VIEW, wish.id)
    [member_view] = messages(chat.send(person_of(db, w.members[0]), Kind.button, data=data))
    assert "138 1234 1234" in member_view.text and member_view.protect
    [own_view] = messages(chat.send(person_of(db, w.resident_id), Kind.button, data=data))
    assert "138 1234 1234" not in own_view.text and not own_view.protect


def test_an_admin_not_staff_of_the_branch_sees_queue_cards_scrubbed_and_its_staff_see_them_typed(
    db, catalogue
):
    w = build_world(db, catalogue)
    wish = submit(w, text=TYPED)
    chat = Chat(db, catalogue)

    def queue_of(user_id: int) -> str:
        outputs = chat.command(person_of(db, user_id), "queue")
        [found] = [m.text for m in messages(outputs) if wish.number in m.text]
        return found

    assert TYPED in queue_of(w.staff_id)
    admin_card = queue_of(admin_of(db))
    assert "请打**找我" in admin_card and "13912345678" not in admin_card and "3单元402" not in admin_card
