"""Staff ask the real bot for /stats and /export over HTTP and get a chart and a workbook."""

from io import BytesIO

from openpyxl import load_workbook

from sandan.fakebot import FakeUser
from services.branches import add_staff
from tests.e2e.conftest import said
from tests.reports.data import build_march

SECRETARY = FakeUser(1201, "张书记")


def _staff_of_march(db, catalogue):
    march = build_march(db, catalogue)
    with db.write() as s:
        add_staff(s, telegram_id=SECRETARY.id, branch_code="A")
    return march


async def test_stats_sends_the_figures_and_a_png_chart_through_the_real_bot(running, db, catalogue):
    api = running.api
    _staff_of_march(db, catalogue)
    api.send_command(SECRETARY, "/stats A 2025-03")
    message = await said(api, SECRETARY, "收到心愿：10")
    assert "办结率：60.0%" in message["text"]
    call = await api.wait_for_call("sendPhoto", chat_id=SECRETARY.id)
    [upload] = call.files.values()
    assert upload.content.startswith(b"\x89PNG") and len(upload.content) > 10_000
    assert "每周心愿" in call.params["caption"]


async def test_export_sends_a_workbook_document_through_the_real_bot(running, db, catalogue):
    api = running.api
    _staff_of_march(db, catalogue)
    api.send_command(SECRETARY, "/export 2025-03")
    call = await api.wait_for_call("sendDocument", chat_id=SECRETARY.id)
    [upload] = call.files.values()
    assert upload.filename == "sandan-A-20250301-20250331.xlsx"
    book = load_workbook(BytesIO(upload.content))
    assert book.sheetnames == ["心愿", "党员服务台账", "评价", "不予受理"]
    assert book["心愿"].max_row == 11


def protected(call) -> bool:
    """Whether the recorded upload asked Telegram for protect_content (no forwarding, no saving)."""
    return str(call.params.get("protect_content")).lower() == "true"


async def test_export_goes_out_with_protect_content(running, db, catalogue):
    api = running.api
    _staff_of_march(db, catalogue)
    api.send_command(SECRETARY, "/export 2025-03")
    call = await api.wait_for_call("sendDocument", chat_id=SECRETARY.id)
    assert protected(call)


def names_in(content: bytes) -> set:
    book = load_workbook(BytesIO(content))
    return {v for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row}


async def test_report_sends_one_forwardable_file_per_work_unit_with_only_that_units_members(
    running, db, catalogue
):
    from sqlalchemy import update

    from models import MemberProfile
    from tests.e2e.conftest import press

    api = running.api
    march = _staff_of_march(db, catalogue)
    with db.write() as s:  # 赵红梅 works for the school, 李建国 for the power company
        zhao = march.a.members[1]
        s.execute(update(MemberProfile).where(MemberProfile.user_id == zhao).values(work_unit="市第一中学"))
    api.send_command(SECRETARY, "/report A 2025-03")
    await said(api, SECRETARY, "市第一中学")
    await press(api, SECRETARY, "市第一中学")
    call = await api.wait_for_call("sendDocument", chat_id=SECRETARY.id)
    [upload] = call.files.values()
    assert not protected(call) and "市第一中学" in call.params["caption"]
    assert "赵红梅" in names_in(upload.content) and not {"李建国", "区供电公司"} & names_in(upload.content)
    await press(api, SECRETARY, "全部单位")
    third = await api.wait_for_call("sendDocument", chat_id=SECRETARY.id, n=3)
    second = api.calls("sendDocument", chat_id=SECRETARY.id)[1]
    by_caption = {c.params["caption"].split(" ")[0]: c for c in (second, third)}
    assert set(by_caption) == {"区供电公司", "市第一中学"} and not any(
        protected(c) for c in by_caption.values()
    )
    [power] = by_caption["区供电公司"].files.values()
    assert "李建国" in names_in(power.content) and not {"赵红梅", "市第一中学"} & names_in(power.content)
