"""Staff ask the real bot for /stats and /export over HTTP and get a chart and a workbook."""

from io import BytesIO

from openpyxl import load_workbook

from sandan.fakebot import FakeUser
from services.branches import add_staff
from tests.e2e.conftest import said
from tests.reports.data import build_march

SECRETARY = FakeUser(1201, "张书记")


async def _staff_of_march(db, catalogue):
    await build_march(db, catalogue)
    async with db.write() as s:
        await add_staff(s, telegram_id=SECRETARY.id, branch_code="A")


async def test_stats_sends_the_figures_and_a_png_chart_through_the_real_bot(running, db, catalogue):
    api = running.api
    await _staff_of_march(db, catalogue)
    api.send_command(SECRETARY, "/stats A 2025-03")
    message = await said(api, SECRETARY, "收到心愿：10")
    assert "办结率：60.0%" in message["text"]
    call = await api.wait_for_call("sendPhoto", chat_id=SECRETARY.id)
    [upload] = call.files.values()
    assert upload.content.startswith(b"\x89PNG") and len(upload.content) > 10_000
    assert "每周心愿" in call.params["caption"]


async def test_export_sends_a_workbook_document_through_the_real_bot(running, db, catalogue):
    api = running.api
    await _staff_of_march(db, catalogue)
    api.send_command(SECRETARY, "/export 2025-03")
    call = await api.wait_for_call("sendDocument", chat_id=SECRETARY.id)
    [upload] = call.files.values()
    assert upload.filename == "sandan-A-20250301-20250331.xlsx"
    book = load_workbook(BytesIO(upload.content))
    assert book.sheetnames == ["心愿", "党员服务台账", "评价", "不予受理"]
    assert book["心愿"].max_row == 11
