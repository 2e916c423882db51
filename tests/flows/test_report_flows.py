"""The report commands through the flows: who may use them, what a bad argument gets, what /me shows."""

from bot.flows.io import File, Kind, Message
from services.people import set_language
from tests.factories import build_world, new_user
from tests.flows.harness import Chat, Person, find_button, messages
from tests.reports.data import build_march


def person_of(db, user_id: int, name="x", lang="zh-hans") -> Person:
    from models import User

    with db.read() as s:
        return Person(s.get(User, user_id).telegram_id, name, lang)


def test_staff_get_their_branchs_figures_and_a_chart(db, catalogue):
    m = build_march(db, catalogue)
    chat, staff = Chat(db, catalogue), person_of(db, m.a.staff_id)
    out = chat.command(staff, "stats", "2025-03")
    text, chart = out
    assert "收到心愿：10" in text.text and "办结率：60.0%" in text.text
    assert isinstance(chart, File) and chart.photo and chart.data.startswith(b"\x89PNG")


def test_staff_of_branch_a_cannot_get_branch_bs_stats_or_export(db, catalogue):
    m = build_march(db, catalogue)
    chat, staff_b = Chat(db, catalogue), person_of(db, m.b.staff_id)
    for command in ("stats", "export", "top", "publish"):
        out = chat.command(staff_b, command, "A 2025-03")
        assert [type(o) for o in out] == [Message] and "只有本社区的工作人员" in out[0].text, command
    out = chat.command(staff_b, "report", "A 2025-03")
    assert "只有本社区的工作人员" in out[0].text


def test_people_who_are_not_staff_are_refused_politely(db, catalogue):
    w = build_world(db, catalogue)
    chat = Chat(db, catalogue)
    resident = person_of(db, w.resident_id)
    for command in ("stats", "export", "report", "top", "publish", "branches"):
        [reply] = chat.command(resident, command, "2025-03")
        assert isinstance(reply, Message) and reply.text.startswith("只有"), command


def test_a_period_that_cannot_be_read_gets_a_clear_message_in_the_users_language(db, catalogue):
    w = build_world(db, catalogue)
    chat = Chat(db, catalogue)
    staff = person_of(db, w.staff_id)
    [reply] = chat.command(staff, "stats", "昨天")
    assert "这个时间段看不懂" in reply.text
    [reply] = chat.command(staff, "report", "")
    assert "/report 2025-03" in reply.text
    with db.write() as s:
        set_language(s, actor_id=w.staff_id, language="en")
    [reply] = chat.command(staff, "export", "someday")
    assert reply.text.startswith("I could not read that period")


def test_an_admin_gets_the_branch_overview_worst_first_and_may_compare(db, catalogue):
    build_march(db, catalogue)
    with db.write() as s:
        from tests.factories import new_admin

        admin = new_admin(s)
    chat, person = Chat(db, catalogue), person_of(db, admin)
    [reply] = chat.command(person, "branches", "2025-03")
    lines = reply.text.splitlines()
    assert lines[1].startswith("A A社区：在办 10 · 超时 ") and lines[2].startswith("B B社区：在办 1 · 超时 ")
    [reply] = chat.command(person, "stats", "compare 2025-03")
    assert "收到 10" in reply.text and "收到 2" in reply.text
    text, chart = chat.command(person, "stats", "all 2025-03")
    assert "收到心愿：12" in text.text and chart.photo


def test_staff_with_several_branches_choose_one_and_the_period_is_kept(db, catalogue):
    m = build_march(db, catalogue)
    from services.branches import add_staff

    with db.write() as s:
        add_staff(s, telegram_id=person_of(db, m.a.staff_id).telegram_id, branch_code="B")
    chat, staff = Chat(db, catalogue), person_of(db, m.a.staff_id)
    [ask] = chat.command(staff, "export", "2025-03")
    assert len(ask.buttons[0]) == 2
    out = chat.press(staff, "B ")
    [workbook] = [o for o in out if isinstance(o, File)]
    assert workbook.name == "sandan-B-20250301-20250331.xlsx"


def test_a_member_sees_their_ledger_points_and_the_formula_with_me(db, catalogue):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.reports.data import add_wish

    w = build_world(db, catalogue)
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    with db.write() as s:
        add_wish(s, w, "confirmed", now.replace(day=1, hour=0, minute=1), triage_h=0.1, assign_h=0.2,
                       complete_h=0.5, member=w.members[0], score=4, hours=2)  # fmt: skip
    chat, member = Chat(db, catalogue), person_of(db, w.members[0])
    [reply] = messages(chat.command(member, "me"))
    assert "本月服务台账：确认完成 1 件，2 小时，积分 16" in reply.text  # (10 + 5*2) * 4/5
    assert "排第 1 名（共 1 人）" in reply.text and "积分规则" in reply.text
    with db.write() as s:
        stranger = new_user(s, "路人")
    [reply] = messages(chat.command(person_of(db, stranger), "me"))
    assert "积分" not in reply.text


def test_a_period_outside_2000_to_2100_gets_the_polite_period_message_and_changes_nothing(db, catalogue):
    from tests.factories import new_admin, snapshot

    w = build_world(db, catalogue)
    with db.write() as s:
        admin = new_admin(s)
    chat, staff = Chat(db, catalogue), person_of(db, admin)
    before = snapshot(db)
    for command, text in (
        ("stats", "0001-01-01..0001-01-02"),  # was an OverflowError: no UTC instant before year 1
        ("stats", "9999-12-30..9999-12-31"),
        ("export", "1999-12-31..2000-01-02"),
        ("top", "2100-12-31..2101-01-01"),
        ("stats", "compare 0001-01-01..0001-01-02"),
        ("branches", "9999"),
    ):
        [reply] = chat.command(staff, command, text)
        assert isinstance(reply, Message), (command, text)
        assert reply.text.startswith("这个时间段看不懂"), (command, text)
    assert snapshot(db) == before
    staff = person_of(db, w.staff_id)
    [reply] = chat.command(staff, "stats", "0001-01-01..0001-01-02")
    assert reply.text.startswith("这个时间段看不懂")


def files_in(outputs) -> list[File]:
    return [o for o in outputs if isinstance(o, File)]


def move_to_unit(db, member_id: int, unit: str) -> None:
    from sqlalchemy import update

    from models import MemberProfile

    with db.write() as s:
        s.execute(update(MemberProfile).where(MemberProfile.user_id == member_id).values(work_unit=unit))


def test_report_with_one_work_unit_sends_its_file_captioned_with_the_unit(db, catalogue):
    m = build_march(db, catalogue)
    chat, staff = Chat(db, catalogue), person_of(db, m.a.staff_id)
    text, file = chat.command(staff, "report", "2025-03")
    assert "区供电公司" in text.text and not text.buttons
    assert isinstance(file, File) and not file.protect and file.caption.startswith("区供电公司 · 2025-03")
    assert file.name == "sandan-A-202503-区供电公司.xlsx"


def test_report_with_several_units_lets_staff_choose_one_or_get_one_file_each(db, catalogue):
    m = build_march(db, catalogue)
    move_to_unit(db, m.a.members[1], '=HYPERLINK("x")/../市一中')
    chat, staff = Chat(db, catalogue), person_of(db, m.a.staff_id)
    [ask] = chat.command(staff, "report", "2025-03")
    labels = [b.text for row in ask.buttons for b in row]
    assert labels == ['=HYPERLINK("x")/../市一中', "区供电公司", "全部单位（每单位一个文件）"]
    [one] = files_in(chat.press(staff, "区供电公司"))
    assert isinstance(one, File) and "区供电公司" in one.caption and not one.protect
    files = files_in(chat.press(staff, "全部单位"))
    assert [f.caption.split(" · ")[0] for f in files] == ['=HYPERLINK("x")/../市一中', "区供电公司"]
    assert files[0].name == "sandan-A-202503-_HYPERLINK_x_市一中.xlsx"  # no path, no quotes
    assert all(isinstance(f, File) and not f.protect for f in files)


def test_a_unit_button_pressed_after_the_unit_has_gone_says_so_and_staff_of_another_branch_are_refused(
    db, catalogue
):
    m = build_march(db, catalogue)
    move_to_unit(db, m.a.members[1], "市第一中学")
    chat, staff = Chat(db, catalogue), person_of(db, m.a.staff_id)
    chat.command(staff, "report", "2025-03")
    move_to_unit(db, m.a.members[1], "区供电公司")  # the school's only member moved
    out = chat.press(staff, "市第一中学")
    [gone] = messages(out)
    assert "/report" in gone.text and not files_in(out)
    other = person_of(db, m.b.staff_id)
    out = chat.send(other, Kind.button, data=find_button(staff, "区供电公司").data)
    assert not files_in(out) and "只有本社区的工作人员" in str(out)


def test_stats_of_a_branch_whose_name_has_dollar_signs_still_sends_its_chart(db, catalogue):
    from sqlalchemy import update

    from models import Branch

    w = build_world(db, catalogue)
    with db.write() as s:
        s.execute(update(Branch).where(Branch.id == w.branch_id).values(name="社区$^$"))
    chat, staff = Chat(db, catalogue), person_of(db, w.staff_id)
    text, chart = chat.command(staff, "stats", "2025-03")
    assert "社区$^$" in text.text and isinstance(chart, File) and chart.data.startswith(b"\x89PNG")
