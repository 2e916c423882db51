"""Fault-matrix row 16, privacy in exports: /export follows the one rule of services.privacy.

Full names, phones, addresses and free text as typed only in the rows of a branch the actor is
staff of; an admin gets every other branch's rows masked and scrubbed, exactly as on screen.
"""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from bot.i18n import t
from models import MemberProfile, Rating, User, WishEvent
from services.branches import add_staff
from services.errors import NotAllowed
from services.reports.export import export_workbook
from services.reports.periods import month_period
from tests.factories import build_world, new_admin
from tests.reports.data import TZ, add_wish, local

MARCH = month_period(2025, 3)
TYPED = "请打13912345678找我，住5栋3单元402"  # a phone and a house number in free text
SECRETS = ("13912345678", "3单元402", "王秀英", "13812341234", "幸福小区", "李建国")


def two_branches(db, catalogue):
    """Branches A and B with one confirmed and one rejected wish each, contacts typed everywhere."""
    worlds = {code: build_world(db, catalogue, code) for code in "AB"}
    with db.write() as s:
        for w in worlds.values():
            member = w.members[0]
            unit = update(MemberProfile).where(MemberProfile.user_id == member)
            s.execute(unit.values(work_unit="区供电公司 电话13912345678"))
            done = add_wish(s, w, "confirmed", local(2025, 3, 3), triage_h=1, assign_h=2, complete_h=3,
                                  member=member, score=5, hours=1, text=TYPED)  # fmt: skip
            done.completion_note = TYPED
            s.execute(update(Rating).where(Rating.wish_id == done.id).values(comment=TYPED))
            s.add(WishEvent(wish_id=done.id, actor_id=member, to_status="completed", note=TYPED,
                            at=local(2025, 3, 3, 14)))  # fmt: skip
            rejected = add_wish(s, w, "rejected", local(2025, 3, 4), triage_h=1, reason="unclear", text=TYPED)
            rejected.rejection_note = TYPED
    return worlds


def export(db, catalogue, actor_id, branch_id):
    with db.read() as s:
        data = export_workbook(
            s, actor_id=actor_id, branch_id=branch_id, period=MARCH, tz=TZ, catalogue=catalogue,
            lang="zh", tr=lambda key: t("zh", key),
        )  # fmt: skip
    return load_workbook(BytesIO(data))


def rows_of(book, branch_code: str) -> list[str]:
    """Every text cell of the rows about branch_code's wishes, in every sheet."""
    numbers, found = set(), []
    for row in book.worksheets[0].iter_rows(min_row=2, values_only=True):
        if row[1] == branch_code:
            numbers.add(row[0])
            found += [v for v in row if isinstance(v, str)]
    for ws in book.worksheets[1:]:
        for row in ws.iter_rows(min_row=2, values_only=True):
            if numbers & set(row):
                found += [v for v in row if isinstance(v, str)]
    return found


def shows_in_full(texts: list[str]) -> bool:
    return TYPED in texts and "王秀英" in texts and "+8613812341234" in texts and "李建国" in texts


def masked(texts: list[str]) -> bool:
    assert texts, "no rows"
    leaked = [v for v in texts for secret in SECRETS if secret in v]
    return not leaked and "王*" in texts and "138****1234" in texts and "李*" in texts


def admin_of(db, *staff_of: str) -> int:
    with db.write() as s:
        admin = new_admin(s)
        for code in staff_of:
            add_staff(s, telegram_id=s.get(User, admin).telegram_id, branch_code=code)
    return admin


def test_privacy_in_exports_staff_of_the_branch_get_their_rows_in_full(db, catalogue):
    worlds = two_branches(db, catalogue)
    book = export(db, catalogue, worlds["A"].staff_id, worlds["A"].branch_id)
    texts = rows_of(book, "A")
    assert shows_in_full(texts) and "幸福小区 3栋 2单元 502" in texts
    assert "区供电公司 电话13912345678" in texts


def test_privacy_in_exports_staff_of_another_branch_get_nothing(db, catalogue):
    worlds = two_branches(db, catalogue)
    with pytest.raises(NotAllowed):
        export(db, catalogue, worlds["B"].staff_id, worlds["A"].branch_id)


def test_privacy_in_exports_an_admin_gets_every_branch_masked_and_its_free_text_scrubbed(db, catalogue):
    two_branches(db, catalogue)
    book = export(db, catalogue, admin_of(db), None)
    for code in "AB":
        assert masked(rows_of(book, code)), code
    texts = rows_of(book, "A")
    assert any(v.startswith("请打") for v in texts)  # the text is there, only its contacts gone


def test_privacy_in_exports_an_admin_who_is_staff_of_one_branch_sees_that_branch_only_in_full(db, catalogue):
    two_branches(db, catalogue)
    book = export(db, catalogue, admin_of(db, "A"), None)
    assert shows_in_full(rows_of(book, "A"))
    assert masked(rows_of(book, "B"))
