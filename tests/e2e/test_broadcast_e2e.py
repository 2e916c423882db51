"""Staff send a notice through the real bot over HTTP; every member gets it once, 429s or not."""

from sandan.fakebot import FakeUser
from services.branches import add_branch, add_staff
from tests.e2e.conftest import press, said
from tests.factories import add_members

SECRETARY = FakeUser(1301, "张书记")
MEMBER_IDS = list(range(3001, 3013))
NOTICE = "周六 <b>停水</b> 9:00–12:00 & 请提前储水"


async def test_a_small_broadcast_reaches_every_member_once_despite_429s(running, db):
    api = running.api
    with db.write() as s:
        branch = add_branch(s, code="A", name="幸福社区", grids=["一网格"])
        add_staff(s, telegram_id=SECRETARY.id, branch_code="A")
        add_members(s, branch.id, MEMBER_IDS)
    api.send_command(SECRETARY, "/broadcast")
    await press(api, SECRETARY, "党员")
    await said(api, SECRETARY, "请输入通知内容")
    api.send_text(SECRETARY, NOTICE)
    await said(api, SECRETARY, "共 12 人")
    for chat in MEMBER_IDS[4:6]:  # Telegram pushes back mid-way
        api.fail_next("sendMessage", 429, retry_after=1, chat_id=chat)
    await press(api, SECRETARY, "确认发送")
    progress = await said(api, SECRETARY, "通知 #1")

    def everyone_has_it():
        return all(api.sent_messages(chat) for chat in MEMBER_IDS)

    await api.wait_for(everyone_has_it, timeout=10)
    tally = await said(api, SECRETARY, "已发送完毕", timeout=10)
    assert "已送达 12，失败 0" in tally["text"]
    for chat in MEMBER_IDS:
        [message] = api.sent_messages(chat)
        assert message["text"] == f"📢 幸福社区通知\n\n{NOTICE}"  # escaped, so it shows as typed
    await press(api, SECRETARY, "刷新")

    def refreshed():
        return "已全部发送完毕" in api.message(SECRETARY.id, progress["message_id"])["text"]

    await api.wait_for(refreshed)
