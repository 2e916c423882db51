"""Commendation points, the ranking and the work-unit report count confirmed service only."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from bot.i18n import t
from services.errors import InvalidInput, NotAllowed
from services.reports import members, units
from services.reports.periods import Period, month_period, parse_month
from services.reports.points import task_points
from tests.reports.data import TZ, add_wish, build_march, local

MARCH = month_period(2025, 3)


def test_points_weigh_hours_by_the_rating_and_cap_the_hours_of_one_task():
    assert task_points(2, 5) == 20.0  # (10 + 5 * 2) * 5 / 5
    assert task_points(1, 3) == 9.0  # (10 + 5 * 1) * 3 / 5
    assert task_points(24, 5) == task_points(8, 5) == 50.0
    assert task_points(None, 1) == 2.0


def ranking(db, actor_id, branch_id):
    with db.read() as s:
        return members.ranking(s, actor_id=actor_id, branch_id=branch_id, period=MARCH, tz=TZ)


def test_the_ranking_ignores_tasks_the_resident_did_not_confirm_whatever_hours_they_claim(db, catalogue):
    m = build_march(db, catalogue)
    cheat = m.a.members[2]
    with db.write() as s:  # 24 hours on each of four unconfirmed tasks
        for status in ("completed", "closed", "disputed", "in_progress"):
            add_wish(s, m.a, status, local(2025, 3, 8), triage_h=1, assign_h=2, complete_h=3,
                           member=cheat, hours=24)  # fmt: skip
    ranked = ranking(db, m.a.staff_id, m.a.branch_id)
    assert [(r.member_id, r.points, len(r.tasks), r.hours) for r in ranked] == [
        (m.a.members[0], 20.0, 1, 2),  # w1
        (m.a.members[1], 9.0, 1, 1),  # w2; w12 is disputed
    ]
    assert cheat not in {r.member_id for r in ranked}


def test_a_better_rated_task_outranks_more_hours_with_a_poor_rating(db, catalogue):
    m = build_march(db, catalogue)
    with db.write() as s:
        add_wish(s, m.a, "confirmed", local(2025, 3, 9), triage_h=1, assign_h=2, complete_h=3,
                       member=m.a.members[2], score=1, hours=8)  # fmt: skip  # (10+40)*1/5 = 10
    ranked = ranking(db, m.a.staff_id, m.a.branch_id)
    assert [r.points for r in ranked] == [20.0, 10.0, 9.0]


def test_staff_cannot_rank_another_branchs_members(db, catalogue):
    m = build_march(db, catalogue)
    with pytest.raises(NotAllowed):
        ranking(db, m.b.staff_id, m.a.branch_id)


def unit_files(db, catalogue, actor_id, branch_id, key=units.ALL_UNITS):
    with db.read() as s:
        return units.unit_files(
            s, actor_id=actor_id, branch_id=branch_id, month=MARCH, tz=TZ, catalogue=catalogue,
            lang="zh", tr=lambda k: t("zh", k), key=key,
        )  # fmt: skip


def test_the_work_unit_report_lists_each_units_members_and_their_tasks(db, catalogue):
    m = build_march(db, catalogue)
    [file] = unit_files(db, catalogue, m.a.staff_id, m.a.branch_id)
    assert file.unit.name == "区供电公司" and file.unit.key == units.unit_key("区供电公司")
    assert [(x.name, len(x.tasks), x.hours, x.average_rating) for x in file.unit.members] == [
        ("李建国", 1, 2, 5.0),
        ("赵红梅", 1, 1, 3.0),
    ]
    book = load_workbook(BytesIO(file.workbook))
    assert book.sheetnames == ["汇总", "区供电公司"]
    assert list(book["汇总"].iter_rows(values_only=True))[1] == ("区供电公司", 2, 2, 3)
    rows = list(book["区供电公司"].iter_rows(values_only=True))
    assert rows[0] == ("党员", "确认完成任务数", "服务时长（小时）", "平均评分", "日期", "类别", "网格")
    assert rows[1][:4] == ("李建国", 1, 2, 5) and rows[1][5:] == ("维修疏通", "一网格")
    assert rows[1][4].date().isoformat() == "2025-03-04"  # completed 24 h after 09:00 on 3 March


def set_unit(db, member_id: int, unit: str) -> None:
    from sqlalchemy import update

    from models import MemberProfile

    with db.write() as s:
        s.execute(update(MemberProfile).where(MemberProfile.user_id == member_id).values(work_unit=unit))


def names_in(workbook: bytes) -> set:
    book = load_workbook(BytesIO(workbook))
    return {v for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row}


def test_each_work_unit_gets_its_own_file_with_none_of_the_other_units_members(db, catalogue):
    m = build_march(db, catalogue)
    set_unit(db, m.a.members[1], "市第一中学")  # 赵红梅 moves to a unit of her own
    files = unit_files(db, catalogue, m.a.staff_id, m.a.branch_id)
    assert [f.unit.name for f in files] == ["区供电公司", "市第一中学"]
    power, school = (names_in(f.workbook) for f in files)
    assert "李建国" in power and "赵红梅" not in power and "市第一中学" not in power
    assert "赵红梅" in school and "李建国" not in school and "区供电公司" not in school
    [only] = unit_files(db, catalogue, m.a.staff_id, m.a.branch_id, units.unit_key("市第一中学"))
    assert only.unit.name == "市第一中学" and names_in(only.workbook) == school
    assert unit_files(db, catalogue, m.a.staff_id, m.a.branch_id, units.unit_key("别的单位")) == []
    with pytest.raises(NotAllowed):
        unit_files(db, catalogue, m.b.staff_id, m.a.branch_id)


@pytest.mark.parametrize("text", ["", "2025", "2025-13", "march", "2025-03-01"])
def test_a_month_that_cannot_be_read_is_refused_with_the_usage(text):
    with pytest.raises(InvalidInput) as caught:
        parse_month(text)
    assert caught.value.key == "invalid.month"


def test_a_member_sees_their_own_ledger_and_rank(db, catalogue):
    m = build_march(db, catalogue)
    with db.read() as s:
        year = Period(date(2025, 1, 1), date(2026, 1, 1))
        mine = members.my_ledger(s, actor_id=m.a.members[1], month=MARCH, year=year, tz=TZ)
    assert [x.number for x in mine.month.tasks] and mine.month.points == 9.0
    assert (mine.rank, mine.ranked, mine.year.points) == (2, 2, 9.0)
