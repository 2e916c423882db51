"""Statistics match figures computed by hand from the March data set (tests/reports/data.py)."""

from datetime import date

import pytest

from services.errors import InvalidInput, NotAllowed
from services.reports import stats
from services.reports.figures import Week
from services.reports.periods import Period, month_period, parse_period
from tests.factories import new_admin, new_user
from tests.reports.data import NOW, TZ, build_march

MARCH = month_period(2025, 3)


def figures_of(db, actor_id, branch_id, period=MARCH):
    with db.read() as s:
        return stats.stats(s, actor_id=actor_id, branch_id=branch_id, period=period, tz=TZ, now=NOW)


def test_every_figure_of_a_branch_month_matches_the_hand_computed_one(db, catalogue):
    m = build_march(db, catalogue)
    f = figures_of(db, m.a.staff_id, m.a.branch_id)
    assert f.received == 10  # w1-w8, w11, w12; not w9 (April in Beijing) nor w10 (February)
    assert (f.accepted, f.rejected) == (5, 3)
    assert f.top_rejections == [("benefits", 2), ("duplicate", 1)]
    assert (f.completed, f.confirmed) == (3, 2)
    assert f.resolution_rate == pytest.approx(3 / 5)
    assert f.median_triage_h == 2.5  # 1 2 2 2 | 3 4 6 8
    assert f.median_assign_h == 5.5  # 4 5 | 6 10
    assert f.median_complete_h == 27.0  # 20 24 | 30 48
    assert (f.rated, f.average_rating, f.satisfaction) == (2, 4.0, 0.5)
    # w8, w9, w10 untriaged > 24 h; w13 taken > 72 h ago; w14 past its date; w16's offer unanswered
    # for 4 h (> 2 h); w17 on the wall > 24 h
    assert f.overdue_now == 7
    assert f.top_categories == [("repairs", 4), ("legal", 2), ("other", 2), ("eldercare", 1), ("errands", 1)]


def test_weeks_start_on_monday_and_split_wishes_by_status_and_satisfaction(db, catalogue):
    m = build_march(db, catalogue)
    f = figures_of(db, m.a.staff_id, m.a.branch_id)
    assert f.weeks == [
        Week(date(2025, 2, 24), 0, 0, 0, None),
        Week(date(2025, 3, 3), 2, 0, 1, 0.5),
        Week(date(2025, 3, 10), 1, 0, 3, None),
        Week(date(2025, 3, 17), 0, 2, 0, None),
        Week(date(2025, 3, 24), 0, 0, 0, None),
        Week(date(2025, 3, 31), 0, 1, 0, None),  # w8, 23:30 on 31 March in Beijing
    ]


def test_a_wish_belongs_to_its_beijing_day_not_its_utc_day(db, catalogue):
    m = build_march(db, catalogue)
    last_day = figures_of(db, m.a.staff_id, m.a.branch_id, Period(date(2025, 3, 31), date(2025, 4, 1)))
    first_april = figures_of(db, m.a.staff_id, m.a.branch_id, Period(date(2025, 4, 1), date(2025, 4, 2)))
    assert (last_day.received, first_april.received) == (1, 1)
    assert last_day.top_categories == [("errands", 1)]  # w8, 15:30 UTC
    assert first_april.top_categories == [("repairs", 1)]  # w9, 16:30 UTC on 31 March


def test_an_empty_period_has_zero_counts_no_rates_and_still_the_overdue_now(db, catalogue):
    m = build_march(db, catalogue)
    f = figures_of(db, m.a.staff_id, m.a.branch_id, month_period(2024, 6))
    assert (f.received, f.accepted, f.rejected, f.completed, f.confirmed, f.rated) == (0, 0, 0, 0, 0, 0)
    assert f.resolution_rate is f.satisfaction is f.average_rating is None
    assert f.median_triage_h is f.median_assign_h is f.median_complete_h is None
    assert f.top_rejections == f.top_categories == []
    assert all(w == Week(w.start, 0, 0, 0, None) for w in f.weeks) and len(f.weeks) == 5
    assert f.overdue_now == 7


def test_all_branches_add_up_and_are_for_admins_only(db, catalogue):
    m = build_march(db, catalogue)
    with db.write() as s:
        admin = new_admin(s)
    f = figures_of(db, admin, None)
    assert (f.received, f.completed, f.confirmed, f.rated) == (12, 4, 3, 3)
    assert f.overdue_now == 8
    with pytest.raises(NotAllowed):
        figures_of(db, m.a.staff_id, None)


def test_compare_puts_the_branch_with_most_overdue_first(db, catalogue):
    build_march(db, catalogue)
    with db.write() as s:
        admin = new_admin(s)
    with db.read() as s:
        lines = stats.compare(s, actor_id=admin, period=MARCH, tz=TZ, now=NOW)
    assert [(x.code, x.overdue_now, x.open_now, x.figures.received) for x in lines] == [
        ("A", 7, 10, 10),  # open: w7 w8 w9 w10 w12 w13-w17
        ("B", 1, 1, 2),
    ]
    assert lines[1].figures.resolution_rate == 1.0


def test_staff_of_one_branch_cannot_see_another_branchs_figures(db, catalogue):
    m = build_march(db, catalogue)
    with pytest.raises(NotAllowed):
        figures_of(db, m.a.staff_id, m.b.branch_id)
    with db.write() as s:
        stranger = new_user(s, "路人")
    with pytest.raises(NotAllowed):
        figures_of(db, stranger, m.a.branch_id)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("", date(2025, 3, 1), date(2025, 4, 1)),
        ("本月", date(2025, 3, 1), date(2025, 4, 1)),
        ("week", date(2025, 3, 10), date(2025, 3, 17)),  # 12 March 2025 is a Wednesday
        ("本周", date(2025, 3, 10), date(2025, 3, 17)),
        ("last month", date(2025, 2, 1), date(2025, 3, 1)),
        ("上月", date(2025, 2, 1), date(2025, 3, 1)),
        ("今年", date(2025, 1, 1), date(2026, 1, 1)),
        ("2024", date(2024, 1, 1), date(2025, 1, 1)),
        ("2024-12", date(2024, 12, 1), date(2025, 1, 1)),
        ("2025-03-05..2025-03-06", date(2025, 3, 5), date(2025, 3, 7)),
        ("2025-3-5 至 2025-3-6", date(2025, 3, 5), date(2025, 3, 7)),
    ],
)
def test_periods_are_read_as_local_days_with_weeks_starting_monday(text, start, end):
    assert parse_period(text, today=date(2025, 3, 12)) == Period(start, end)


def test_last_month_of_january_is_december():
    assert parse_period("lastmonth", today=date(2025, 1, 20)) == Period(date(2024, 12, 1), date(2025, 1, 1))


@pytest.mark.parametrize(
    "text", ["yesterday", "2025-13", "2025-03-10..2025-03-01", "1999", "2025-02-30..2025-03-01"]
)
def test_a_period_that_cannot_be_read_is_refused_by_name(text):
    with pytest.raises(InvalidInput) as caught:
        parse_period(text, today=date(2025, 3, 12))
    assert caught.value.key == "invalid.period"


def test_a_period_begins_at_local_midnight_in_utc():
    start, end = month_period(2025, 3).utc_bounds(TZ)
    assert (start.isoformat(), end.isoformat()) == ("2025-02-28T16:00:00+00:00", "2025-03-31T16:00:00+00:00")
