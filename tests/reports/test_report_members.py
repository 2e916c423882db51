"""Commendation points, the ranking and the work-unit report count confirmed service only."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from bot.i18n import t
from services.errors import InvalidInput, NotAllowed
from services.reports import members
from services.reports.periods import Period, month_period, parse_month
from services.reports.points import task_points
from tests.reports.data import TZ, add_wish, build_march, local

MARCH = month_period(2025, 3)


def test_points_weigh_hours_by_the_rating_and_cap_the_hours_of_one_task():
    assert task_points(2, 5) == 20.0  # (10 + 5 * 2) * 5 / 5
    assert task_points(1, 3) == 9.0  # (10 + 5 * 1) * 3 / 5
    assert task_points(24, 5) == task_points(8, 5) == 50.0
    assert task_points(None, 1) == 2.0


async def ranking(db, actor_id, branch_id):
    async with db.read() as s:
        return await members.ranking(s, actor_id=actor_id, branch_id=branch_id, period=MARCH, tz=TZ)


async def test_the_ranking_ignores_tasks_the_resident_did_not_confirm_whatever_hours_they_claim(
    db, catalogue
):
    m = await build_march(db, catalogue)
    cheat = m.a.members[2]
    async with db.write() as s:  # 24 hours on each of four unconfirmed tasks
        for status in ("completed", "closed", "disputed", "in_progress"):
            await add_wish(s, m.a, status, local(2025, 3, 8), triage_h=1, assign_h=2, complete_h=3,
                           member=cheat, hours=24)  # fmt: skip
    ranked = await ranking(db, m.a.staff_id, m.a.branch_id)
    assert [(r.member_id, r.points, len(r.tasks), r.hours) for r in ranked] == [
        (m.a.members[0], 20.0, 1, 2),  # w1
        (m.a.members[1], 9.0, 1, 1),  # w2; w12 is disputed
    ]
    assert cheat not in {r.member_id for r in ranked}


async def test_a_better_rated_task_outranks_more_hours_with_a_poor_rating(db, catalogue):
    m = await build_march(db, catalogue)
    async with db.write() as s:
        await add_wish(s, m.a, "confirmed", local(2025, 3, 9), triage_h=1, assign_h=2, complete_h=3,
                       member=m.a.members[2], score=1, hours=8)  # fmt: skip  # (10+40)*1/5 = 10
    ranked = await ranking(db, m.a.staff_id, m.a.branch_id)
    assert [r.points for r in ranked] == [20.0, 10.0, 9.0]


async def test_staff_cannot_rank_another_branchs_members(db, catalogue):
    m = await build_march(db, catalogue)
    with pytest.raises(NotAllowed):
        await ranking(db, m.b.staff_id, m.a.branch_id)


async def test_the_work_unit_report_lists_each_units_members_and_their_tasks(db, catalogue):
    m = await build_march(db, catalogue)
    async with db.read() as s:
        report = await members.unit_report(
            s, actor_id=m.a.staff_id, branch_id=m.a.branch_id, month=MARCH, tz=TZ, catalogue=catalogue,
            lang="zh", tr=lambda key: t("zh", key),
        )  # fmt: skip
    [(unit, served)] = report.units.items()
    assert unit == "区供电公司"
    assert [(x.name, len(x.tasks), x.hours, x.average_rating) for x in served] == [
        ("李建国", 1, 2, 5.0),
        ("赵红梅", 1, 1, 3.0),
    ]
    book = load_workbook(BytesIO(report.workbook))
    assert book.sheetnames == ["汇总", "区供电公司"]
    rows = list(book["区供电公司"].iter_rows(values_only=True))
    assert rows[0] == ("党员", "确认完成任务数", "服务时长（小时）", "平均评分", "日期", "类别", "网格")
    assert rows[1][:4] == ("李建国", 1, 2, 5) and rows[1][5:] == ("维修疏通", "一网格")
    assert rows[1][4].date().isoformat() == "2025-03-04"  # completed 24 h after 09:00 on 3 March


@pytest.mark.parametrize("text", ["", "2025", "2025-13", "march", "2025-03-01"])
def test_a_month_that_cannot_be_read_is_refused_with_the_usage(text):
    with pytest.raises(InvalidInput) as caught:
        parse_month(text)
    assert caught.value.key == "invalid.month"


async def test_a_member_sees_their_own_ledger_and_rank(db, catalogue):
    m = await build_march(db, catalogue)
    async with db.read() as s:
        year = Period(date(2025, 1, 1), date(2026, 1, 1))
        mine = await members.my_ledger(s, actor_id=m.a.members[1], month=MARCH, year=year, tz=TZ)
    assert [x.number for x in mine.month.tasks] and mine.month.points == 9.0
    assert (mine.rank, mine.ranked, mine.year.points) == (2, 2, 9.0)
