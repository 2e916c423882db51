"""/export: the workbook's sheets, headers, real date cells and masking of contact details."""

from datetime import datetime
from io import BytesIO

from openpyxl import load_workbook

from bot.i18n import t
from services.reports.export import export_workbook
from services.reports.periods import month_period
from tests.factories import build_world, completed, new_admin
from tests.reports.data import TZ, build_march

MARCH = month_period(2025, 3)


def workbook(db, catalogue, actor_id, branch_id, lang="zh"):
    with db.read() as s:
        data = export_workbook(
            s,
            actor_id=actor_id,
            branch_id=branch_id,
            period=MARCH,
            tz=TZ,
            catalogue=catalogue,
            lang=lang,
            tr=lambda key: t(lang, key),
        )
    return load_workbook(BytesIO(data))


def rows_by_header(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_the_workbook_has_four_sheets_with_headers_in_the_users_language_frozen(db, catalogue):
    m = build_march(db, catalogue)
    for lang, names in (("zh", ["心愿", "党员服务台账", "评价", "不予受理"]),
                        ("en", ["Wishes", "Member service ledger", "Ratings", "Rejections"])):  # fmt: skip
        book = workbook(db, catalogue, m.a.staff_id, m.a.branch_id, lang)
        assert book.sheetnames == names
        assert all(ws.freeze_panes == "A2" for ws in book.worksheets)
        wishes = book.worksheets[0]
        assert wishes["A1"].value == t(lang, "export.col.number")
        assert wishes.column_dimensions["P"].width >= 30  # the wish text


def test_each_sheet_holds_the_periods_rows(db, catalogue):
    m = build_march(db, catalogue)
    wishes, ledger, ratings, rejections = (workbook(db, catalogue, m.a.staff_id, m.a.branch_id)).worksheets
    assert len(rows_by_header(wishes)) == 10
    assert [r["不予受理原因"] for r in rows_by_header(rejections)] == [
        "低保、补贴等审批事项",
        "低保、补贴等审批事项",
        "重复提交",
    ]
    assert [r["评分"] for r in rows_by_header(ledger)] == [5, 3]  # confirmed only: not w6 (closed), w12
    assert [r["积分"] for r in rows_by_header(ledger)] == [20.0, 9.0]  # (10+5*2)*5/5, (10+5*1)*3/5
    assert [r["评分"] for r in rows_by_header(ratings)] == [5, 3]


def test_dates_are_real_date_cells_shown_in_beijing_time(db, catalogue):
    m = build_march(db, catalogue)
    wishes = workbook(db, catalogue, m.a.staff_id, m.a.branch_id).worksheets[0]
    header = [c.value for c in wishes[1]]
    column = header.index("提交时间") + 1
    cells = [wishes.cell(row=r, column=column) for r in range(2, wishes.max_row + 1)]
    assert all(isinstance(c.value, datetime) and c.is_date for c in cells)
    assert cells[-1].value == datetime(2025, 3, 31, 23, 30)  # w8 as Beijing shows it
    assert cells[-1].number_format == "yyyy-mm-dd hh:mm"


def test_the_timeline_is_text_with_one_line_per_move(db, catalogue):
    w = build_world(db, catalogue)
    wish = completed(w)
    today = datetime.now(TZ).date()
    period = month_period(today.year, today.month)
    with db.read() as s:
        data = export_workbook(
            s, actor_id=w.staff_id, branch_id=w.branch_id, period=period, tz=TZ,
            catalogue=catalogue, lang="zh", tr=lambda key: t("zh", key),
        )  # fmt: skip
    [row] = rows_by_header(load_workbook(BytesIO(data)).worksheets[0])
    lines = row["办理过程"].split("\n")
    assert row["编号"] == wish.number and len(lines) == 5
    assert lines[0].startswith(f"{today:%Y-%m-%d} ") and t("zh", "staffwish.st.completed") in lines[-1]


def test_staff_see_their_own_residents_phone_and_address_in_full(db, catalogue):
    m = build_march(db, catalogue)
    row = rows_by_header(workbook(db, catalogue, m.a.staff_id, m.a.branch_id).worksheets[0])[0]
    assert (row["居民"], row["电话"]) == ("王秀英", "+8613812341234")
    assert row["地址"] == "幸福小区 3栋 2单元 502"


def test_an_admin_exporting_every_branch_gets_names_and_phones_masked_and_no_address(db, catalogue):
    m = build_march(db, catalogue)
    with db.write() as s:
        admin = new_admin(s)
    wishes = rows_by_header(workbook(db, catalogue, admin, None).worksheets[0])
    assert len(wishes) == 12 and {r["社区"] for r in wishes} == {"A", "B"}
    assert {(r["居民"], r["电话"], r["地址"]) for r in wishes} == {("王*", "138****1234", None)}
    ledger = rows_by_header(workbook(db, catalogue, admin, None).worksheets[1])
    assert {r["党员"] for r in ledger} == {"李*", "赵*"}
    assert m.a.branch_id


def test_an_admin_who_is_also_staff_of_a_branch_sees_that_branch_in_full(db, catalogue):
    from models import User
    from services.branches import add_staff

    m = build_march(db, catalogue)
    with db.write() as s:
        admin = new_admin(s)
        add_staff(s, telegram_id=s.get(User, admin).telegram_id, branch_code="A")
    wishes = rows_by_header(workbook(db, catalogue, admin, None).worksheets[0])
    phones = {r["社区"]: r["电话"] for r in wishes}
    assert phones == {"A": "+8613812341234", "B": "138****1234"}
    assert m.b.branch_id
