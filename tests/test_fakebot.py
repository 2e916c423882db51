"""The fake Bot API server, driven by the real python-telegram-bot Application and Bot."""

import asyncio
import contextlib
import json

import aiohttp
import pytest
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonCommands, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from sandan.fakebot import FakeBotApi, FakeUser

TOKEN = "123456:TEST-TOKEN"
ALICE = FakeUser(1001, "Alice", "Wang", username="alice")
BOB = FakeUser(1002, "Bob", language_code="en")


@pytest.fixture
async def api():
    async with FakeBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(api):
    async with Bot(TOKEN, base_url=api.api_url, base_file_url=api.file_url) as b:
        yield b


# PTB 22.x itself warns (when building RetryAfter) that the int form of retry_after is deprecated.
pytestmark = pytest.mark.filterwarnings("ignore:.*attribute `retry_after` will be of type")


def _retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value if isinstance(value, int | float) else value.total_seconds()


# --- the real Application, polling ------------------------------------------------------------


async def test_echo_bot_replies_via_polling(api):
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(update.effective_message.text)

    app = api.application_builder().build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with api.polling(app):
        update_id = api.send_text(ALICE, "你好 hello")
        [reply] = await api.wait_for_messages(ALICE.id, 1)
        await api.wait_confirmed(update_id)

    assert reply["text"] == "你好 hello"
    assert reply["chat"] == {
        "id": ALICE.id,
        "first_name": "Alice",
        "last_name": "Wang",
        "username": "alice",
        "type": "private",
    }
    assert reply["from"]["is_bot"] is True and reply["from"]["id"] == 123456
    assert reply["message_id"] == 2  # one counter per chat: Alice's message was 1
    assert api.last_message(ALICE.id)["text"] == "你好 hello"
    methods = [c.method for c in api.calls()]
    assert methods[0] == "getMe" and "deleteWebhook" in methods and "getUpdates" in methods
    assert api.calls("sendMessage", chat_id=ALICE.id)[0].params["chat_id"] == ALICE.id
    assert api.pending_updates == []


async def test_command_callback_query_is_answered_and_message_edited(api):
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("接单", callback_data="take:7")]])
        await update.effective_message.reply_text(f"args={context.args}", reply_markup=keyboard)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("已接单")
        await query.edit_message_text(f"done {query.data}")

    app = api.application_builder().build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button))
    async with api.polling(app):
        api.send_command(ALICE, "/start b_A")
        [menu] = await api.wait_for_messages(ALICE.id, 1)
        assert menu["text"] == "args=['b_A']"
        assert menu["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "take:7"
        with pytest.raises(ValueError, match="no button"):
            api.press(ALICE, menu, "nope")
        api.press(ALICE, menu, "take:7")
        answer = await api.wait_for_call("answerCallbackQuery")
        await api.wait_for_call("editMessageText")

    assert answer.ok and answer.params["text"] == "已接单"
    assert api.callback_answers[answer.params["callback_query_id"]]["text"] == "已接单"
    edited = api.message(ALICE.id, menu["message_id"])
    assert edited["text"] == "done take:7"
    assert "reply_markup" not in edited and "edit_date" in edited
    assert api.last_message(ALICE.id)["text"] == "done take:7"
    markup = api.calls("sendMessage")[0].params["reply_markup"]
    assert isinstance(markup, dict)  # JSON-encoded nested field was decoded


async def test_duplicate_delivery_reuses_update_id(api):
    seen: list[int] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.update_id)

    app = api.application_builder().build()
    app.add_handler(MessageHandler(filters.ALL, record))
    async with api.polling(app):
        update_id = api.send_text(BOB, "once")
        await api.wait_for(lambda: seen == [update_id], timeout=3)
        await api.wait_confirmed(update_id)
        assert api.deliver_twice(update_id) == update_id
        await api.wait_for(lambda: len(seen) == 2, timeout=3)
        later = api.send_text(BOB, "next")
        await api.wait_for(lambda: len(seen) == 3, timeout=3)

    assert seen == [update_id, update_id, later]


async def test_user_media_helpers_parse_in_ptb(api, bot):
    kinds: list[str] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = update.effective_message
        if msg.contact:
            kinds.append(f"contact:{msg.contact.phone_number}:{msg.contact.user_id}")
        elif msg.photo:
            kinds.append(f"photo:{msg.photo[-1].file_id}:{msg.caption}")
        elif msg.voice:
            kinds.append(f"voice:{msg.voice.file_id}")
        elif msg.location:
            kinds.append(f"location:{msg.location.latitude},{msg.location.longitude}")
        elif msg.sticker:
            kinds.append("sticker")
        elif msg.document:
            kinds.append(f"document:{msg.document.file_name}")

    app = api.application_builder().build()
    app.add_handler(MessageHandler(filters.ALL, record))
    async with api.polling(app):
        api.send_contact(ALICE, "+8613800138000")
        api.send_photo(ALICE, "PHOTO1", caption="门口")
        api.send_voice(ALICE, "VOICE1")
        api.send_location(ALICE, 31.23, 121.47)
        api.send_sticker(ALICE)
        api.send_document(ALICE)
        await api.wait_for(lambda: len(kinds) == 6, timeout=3)

    assert kinds == [
        f"contact:+8613800138000:{ALICE.id}",
        "photo:PHOTO1:门口",
        "voice:VOICE1",
        "location:31.23,121.47",
        "sticker",
        "document:document.pdf",
    ]
    # files the user sent can be fetched with getFile + download
    file = await bot.get_file("PHOTO1")
    assert file.file_path.startswith(f"{api.file_url}{TOKEN}/photos/")
    assert bytes(await file.download_as_bytearray()).startswith(b"\xff\xd8")


# --- the raw Bot: faults ----------------------------------------------------------------------


async def test_retry_after_once(api, bot):
    api.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(ALICE.id, "hi")
    assert _retry_seconds(info.value) == 3
    msg = await bot.send_message(ALICE.id, "hi again")
    assert msg.text == "hi again"
    assert api.count_429 == 1
    failed, sent = api.calls("sendMessage")
    assert failed.status == 429 and failed.response["parameters"] == {"retry_after": 3}
    assert sent.ok and [m["text"] for m in api.sent_messages()] == ["hi again"]


async def test_forbidden_for_one_chat(api, bot):
    api.fail_next("sendMessage", 403, description="Forbidden: bot was blocked by the user", chat_id=BOB.id)
    await bot.send_message(ALICE.id, "fine")
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(BOB.id, "blocked")
    await bot.send_message(BOB.id, "count=1, so this one passes")
    api.block(ALICE.id)
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(ALICE.id, "still blocked")
    api.clear_faults()
    await bot.send_message(ALICE.id, "unblocked")
    assert [m["text"] for m in api.sent_messages(ALICE.id)] == ["fine", "unblocked"]


async def test_server_errors_and_dropped_connections(api, bot):
    api.fail_next("sendMessage", 502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(ALICE.id, "x")
    api.fail_next("*", 500)
    with pytest.raises(NetworkError):
        await bot.send_chat_action(ALICE.id, "typing")
    api.drop_next("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(ALICE.id, "x")
    assert (await bot.send_message(ALICE.id, "ok")).text == "ok"
    assert [c.status for c in api.calls()] == [200, 502, 500, 0, 200]  # getMe first


async def test_rate_limit_mode(api, bot):
    api.rate_limit(per_second_global=30, per_chat_per_second=1)
    await bot.send_message(ALICE.id, "first")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(ALICE.id, "too soon")
    assert _retry_seconds(info.value) >= 1
    await bot.send_message(BOB.id, "another chat is fine")
    await bot.send_chat_action(ALICE.id, "typing")  # not a message
    assert api.rate_limited_count == 1 and api.count_429 == 1

    api.rate_limit(per_second_global=3, per_chat_per_second=None)
    for i in range(3):
        await bot.send_message(1000 + i, "burst")
    with pytest.raises(RetryAfter):
        await bot.send_message(2000, "over the global limit")
    api.rate_limit(None, None)
    await bot.send_message(ALICE.id, "limits off")
    assert api.rate_limited_count == 2


async def test_wrong_token_is_unauthorized(api):
    other = Bot("999:WRONG", base_url=api.api_url)
    try:
        with pytest.raises(InvalidToken):
            await other.initialize()
    finally:
        await other.shutdown()
    assert api.calls("getMe")[-1].status == 401


# --- the raw Bot: methods ---------------------------------------------------------------------


async def test_upload_document_is_recorded_with_bytes(api, bot):
    content = "名字,电话\n张三,138\n".encode()
    msg = await bot.send_document(ALICE.id, document=content, filename="名单.csv", caption="导出")
    call = api.calls("sendDocument")[0]
    assert call.content_type == "multipart/form-data"
    upload = call.files["document"]
    assert upload.content == content and upload.filename == "名单.csv"
    assert call.params["caption"] == "导出" and call.params["chat_id"] == ALICE.id
    assert msg.document.file_name == "名单.csv" and msg.caption == "导出"
    assert api.file_content(msg.document.file_id) == content
    downloaded = await (await bot.get_file(msg.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == content

    photo = await bot.send_photo(BOB.id, photo=b"\xff\xd8fakejpeg\xff\xd9", caption="pic")
    assert len(photo.photo) == 3 and photo.caption == "pic"
    resent = await bot.send_photo(BOB.id, photo=photo.photo[-1].file_id)
    assert resent.photo[-1].file_id == photo.photo[-1].file_id
    assert [m.get("caption") for m in api.sent_messages(BOB.id)] == ["pic", None]
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(BOB.id, document="no-such-file-id")


async def test_edits_follow_telegram_rules(api, bot):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    msg = await bot.send_message(
        ALICE.id, "<b>订单</b> &amp; 1", parse_mode=ParseMode.HTML, reply_markup=keyboard
    )
    assert msg.text == "订单 & 1"
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text(
            "订单 & 1", chat_id=ALICE.id, message_id=msg.message_id, reply_markup=keyboard
        )
    edited = await bot.edit_message_reply_markup(chat_id=ALICE.id, message_id=msg.message_id)
    assert edited.reply_markup is None or edited.reply_markup.inline_keyboard == ()
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=ALICE.id, message_id=999)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ALICE.id, "1 <3 2 <script>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        big = InlineKeyboardMarkup([[InlineKeyboardButton("B", callback_data="x" * 65)]])
        await bot.send_message(ALICE.id, "big", reply_markup=big)
    with pytest.raises(BadRequest, match=r"(?i)text is empty"):
        await bot.send_message(ALICE.id, "")
    assert await bot.delete_message(ALICE.id, msg.message_id)
    assert api.message(ALICE.id, msg.message_id) is None


async def test_bot_settings_methods(api, bot):
    commands = [BotCommand("start", "开始"), BotCommand("help", "帮助")]
    assert await bot.set_my_commands(commands)
    assert await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.description for c in await bot.get_my_commands(language_code="en")] == ["Start"]
    assert await bot.delete_my_commands(language_code="en")
    assert await bot.get_my_commands(language_code="en") == ()
    assert await bot.set_my_description("社区服务")
    assert (await bot.get_my_description()).description == "社区服务"
    assert await bot.set_my_short_description("点单", language_code="zh")
    assert await bot.set_chat_menu_button(chat_id=ALICE.id, menu_button=MenuButtonCommands())
    assert api.menu_buttons[ALICE.id] == {"type": "commands"}
    assert await bot.send_chat_action(ALICE.id, "typing")
    assert await bot.log_out() and await bot.close()
    assert api.calls("setMyCommands")[0].params["commands"][1] == {"command": "help", "description": "帮助"}
    assert api.short_descriptions == {"zh": "点单"}


async def test_get_updates_offset_limit_and_timeout(api, bot):
    api.max_poll_timeout = 0.2
    first = api.send_text(ALICE, "1")
    api.send_text(ALICE, "2")
    third = api.send_text(BOB, "3")
    got = await bot.get_updates(limit=2, timeout=0)
    assert [u.message.text for u in got] == ["1", "2"]
    got = await bot.get_updates(offset=first + 1, timeout=0)  # confirms the first
    assert [u.update_id for u in got] == [first + 1, third]
    assert await bot.get_updates(offset=third + 1, timeout=0) == ()
    assert api.pending_updates == []

    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(offset=third + 1, timeout=30) == ()  # capped at max_poll_timeout
    assert loop.time() - started < api.max_poll_timeout + 0.5

    poll = asyncio.create_task(bot.get_updates(offset=third + 1, timeout=30))
    await api.wait_for(lambda: len(api.calls("getUpdates")) == 5, timeout=1)
    fourth = api.send_text(ALICE, "wakes the long poll")
    [update] = await asyncio.wait_for(poll, 1)
    assert update.update_id == fourth


async def test_raw_http_encodings_and_unknown_method(api):
    base = f"{api.base_url}/bot{TOKEN}"
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{base}/sendMessage",
            json={"chat_id": 7, "text": "json", "reply_markup": {"inline_keyboard": []}},
        ) as r:
            assert (await r.json())["result"]["text"] == "json"
        form = {"chat_id": "7", "text": "123", "reply_markup": json.dumps({"inline_keyboard": []})}
        async with http.post(f"{base}/sendmessage", data=form) as r:  # method names are case-insensitive
            assert (await r.json())["result"]["text"] == "123"
        async with http.get(f"{base}/getMe") as r:
            assert (await r.json())["result"]["username"] == api.bot_username
        async with http.post(f"{base}/fooBar", json={"x": 1}) as r:
            assert r.status == 404
            assert await r.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with http.get(f"{api.base_url}/bot1:bad/getMe") as r:
            assert r.status == 401
            assert await r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

    json_call, form_call = api.calls("sendMessage")
    assert json_call.params["reply_markup"] == {"inline_keyboard": []}
    assert form_call.params == {"chat_id": 7, "text": "123", "reply_markup": {"inline_keyboard": []}}
    assert api.calls("fooBar")[0].status == 404
    assert api.calls("getMe")[0].http_method == "GET"


async def test_wait_for_timeout_dumps_calls(api, bot):
    await bot.send_message(ALICE.id, "only one")
    with pytest.raises(AssertionError, match=r"expected 2 message\(s\)[\s\S]*sendMessage \[200\]"):
        await api.wait_for_messages(ALICE.id, 2, timeout=0.1)
    api.clear()
    assert api.calls() == [] and api.sent_messages() == [] and api.last_message(ALICE.id) is None


async def test_shutdown_releases_pending_long_poll():
    async with (
        FakeBotApi(token=TOKEN, max_poll_timeout=30) as server,
        Bot(TOKEN, base_url=server.api_url) as b,
    ):
        poll = asyncio.create_task(b.get_updates(timeout=30))
        await server.wait_for(lambda: server.calls("getUpdates"), timeout=1)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await server.stop()  # what leaving the `async with` does (stop() is idempotent)
        assert await asyncio.wait_for(poll, 2) == ()
        assert loop.time() - started < 1.5
    leftovers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert leftovers == []


async def test_abandoned_long_poll_does_not_swallow_redeliveries(api, bot):
    api.max_poll_timeout = 5
    update_id = api.send_text(ALICE, "hi")
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [update_id]
    poll = asyncio.create_task(bot.get_updates(offset=update_id + 1, timeout=5))
    await api.wait_for(lambda: len(api.calls("getUpdates")) == 2, timeout=1)
    poll.cancel()  # like Updater.stop(): the client walks away from the long poll
    with contextlib.suppress(asyncio.CancelledError):
        await poll
    api.deliver_twice(update_id)
    await asyncio.sleep(0.05)  # the orphaned server-side poll wakes up and must not take it
    again = await bot.get_updates(offset=update_id + 1, timeout=0)
    assert [(u.update_id, u.message.text) for u in again] == [(update_id, "hi")]
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()


async def test_find_button_gives_the_newest_matching_button_with_edits_applied(api, bot):
    def keyboard(*labels: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton(x, callback_data=x) for x in labels]])

    first = await bot.send_message(ALICE.id, "A-0001", reply_markup=keyboard("✅ 受理 1", "❌ 不予受理 1"))
    await bot.send_message(ALICE.id, "A-0002", reply_markup=keyboard("✅ 受理 2"))
    await bot.send_message(BOB.id, "A-0003", reply_markup=keyboard("✅ 受理 3"))

    message, data = api.find_button(ALICE.id, "✅ 受理")
    assert (message["text"], data) == ("A-0002", "✅ 受理 2")
    assert api.find_button(ALICE.id, "✅ 受理", skip=1)[1] == "✅ 受理 1"
    assert api.find_button(ALICE.id, "✅ 受理", skip=2) is None
    await bot.edit_message_text("A-0001 已受理", ALICE.id, first.message_id, reply_markup=keyboard("📤 派单"))
    assert api.find_button(ALICE.id, "派单")[0]["text"] == "A-0001 已受理"
    assert api.find_button(ALICE.id, "受理 1") is None
