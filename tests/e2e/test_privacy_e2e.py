"""Data rights through the real bot: /privacy in the menu, /mydata as a protected file, /forgetme."""

import json

from sqlalchemy import select

from models import User
from sandan.fakebot import FakeUser
from tests.e2e.conftest import press, said
from tests.e2e.test_resident_e2e import GRANDMA, _branch_with_staff, _register

STRANGER = FakeUser(2002, "Ann", language_code="en")


async def test_privacy_is_in_every_chats_menu_and_answers_in_both_languages(running, db):
    api = running.api
    await api.wait_for_call("setMyCommands")
    menus = [[c["command"] for c in commands] for commands in api.commands.values()]
    assert menus and all("privacy" in menu and "forgetme" in menu for menu in menus)
    api.send_command(GRANDMA, "/privacy")
    await said(api, GRANDMA, "谁能看到")
    api.send_command(STRANGER, "/privacy")
    await said(api, STRANGER, "Who sees it")


async def test_a_resident_downloads_their_data_then_is_forgotten_and_starts_anew(running, db):
    api = running.api
    _branch_with_staff(db)
    await _register(api)
    with db.read() as s:
        first_id = s.scalar(select(User.id).where(User.telegram_id == GRANDMA.id))

    api.send_command(GRANDMA, "/mydata")  # after the registration: one user's updates go in order
    call = await api.wait_for_call("sendDocument", chat_id=GRANDMA.id)
    assert str(call.params.get("protect_content")).lower() == "true"
    [upload] = call.files.values()
    data = json.loads(upload.content)
    assert data["profile"]["phone"] == "+8613812341234" and data["resident"]["building"] == "3栋"

    api.send_command(GRANDMA, "/forgetme")
    await said(api, GRANDMA, "不能恢复")
    await press(api, GRANDMA, "确认删除")

    def forgotten():
        last = api.last_message(GRANDMA.id)
        return last if "已经删除" in (last.get("text") or "") else None

    await api.wait_for(forgotten)
    with db.read() as s:
        old = s.get(User, first_id)
    assert (old.telegram_id, old.phone, old.name) == (None, "", "")

    sent = len(api.calls("sendMessage", chat_id=GRANDMA.id))
    api.send_command(GRANDMA, "/start")
    await api.wait_for_call("sendMessage", chat_id=GRANDMA.id, n=sent + 1)
    with db.read() as s:
        again = s.scalar(select(User.id).where(User.telegram_id == GRANDMA.id))
    assert again is not None and again != first_id
