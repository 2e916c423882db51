"""Sandan's aiohttp backend for PTB speaks the Bot API as PTB's own httpx backend does."""

import asyncio
import io
import socket

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.request import RequestData

from bot.ptb.aiohttp_request import AiohttpRequest
from sandan.fakebot import FakeBotApi, FakeUser

TOKEN = "123456:TEST-TOKEN"
ALICE = FakeUser(1001, "Alice")

pytestmark = pytest.mark.filterwarnings("ignore:.*attribute `retry_after` will be of type")


@pytest.fixture
async def api():
    async with FakeBotApi(token=TOKEN) as server:
        yield server


def _bot(base_url: str) -> Bot:
    return Bot(TOKEN, base_url=base_url, request=AiohttpRequest())


async def test_a_message_with_buttons_arrives_with_its_types_intact(api):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("接单", callback_data="t:1")]])
    async with _bot(api.api_url) as bot:
        sent = await bot.send_message(
            ALICE.id, "新心愿 <b>A-0001</b>", parse_mode="HTML", reply_markup=markup
        )
    call = api.calls("sendMessage")[-1]
    assert call.params["chat_id"] == ALICE.id  # a number, as JSON carries it
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "t:1"
    assert sent.text == "新心愿 A-0001" and sent.chat.id == ALICE.id


async def test_an_upload_goes_as_a_form_with_its_filename_type_and_caption(api):
    content = b"\x89PNG\r\n\x1a\n" + b"0" * 2000
    async with _bot(api.api_url) as bot:
        await bot.send_document(
            ALICE.id, InputFile(io.BytesIO(content), filename="统计.png"), caption="每周心愿"
        )
    call = api.calls("sendDocument")[-1]
    [upload] = call.files.values()
    assert (upload.filename, upload.content) == ("统计.png", content)
    assert call.params["caption"] == "每周心愿"


async def test_telegram_refusals_become_ptbs_own_errors(api):
    async with _bot(api.api_url) as bot:
        api.fail_next("sendMessage", 429, retry_after=3)
        with pytest.raises(RetryAfter):
            await bot.send_message(ALICE.id, "hi")
        with pytest.raises(BadRequest):
            await bot.send_message(ALICE.id, "")


async def _serve(handler) -> tuple[web.AppRunner, int]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


async def test_requests_go_through_the_proxy_the_environment_names(monkeypatch):
    seen = []

    async def proxy(request):
        seen.append(str(request.url))
        return web.json_response({"ok": True, "result": True})

    runner, port = await _serve(proxy)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    request = AiohttpRequest()
    await request.initialize()
    try:
        assert await request.post(f"http://telegram.invalid/bot{TOKEN}/close", RequestData()) is True
    finally:
        await request.shutdown()
        await runner.cleanup()
    assert seen == [f"http://telegram.invalid/bot{TOKEN}/close"]


async def test_hosts_in_no_proxy_are_reached_directly(api, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with _bot(api.api_url) as bot:
        await bot.send_message(ALICE.id, "你好")
    assert api.calls("sendMessage")[-1].params["text"] == "你好"


async def test_a_server_that_does_not_answer_times_out():
    released = asyncio.Event()

    async def stall(_request):
        await asyncio.wait_for(released.wait(), timeout=5)
        return web.json_response({"ok": True, "result": True})

    runner, port = await _serve(stall)
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage", RequestData())
    finally:
        released.set()
        await request.shutdown()
        await runner.cleanup()


async def test_a_server_that_is_not_there_is_a_network_error():
    with socket.socket() as sock:  # a port that was free a moment ago, and nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    request = AiohttpRequest(connect_timeout=1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", RequestData())
        assert not isinstance(raised.value, TimedOut)
    finally:
        await request.shutdown()


async def test_a_request_before_initialize_is_refused():
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:9/x", "POST")


async def test_an_error_quoting_the_url_does_not_carry_the_token(monkeypatch):
    request = AiohttpRequest()
    await request.initialize()
    url = f"http://127.0.0.1:9/bot{TOKEN}/getMe"

    def refuse(method, url, **_kw):
        raise aiohttp.InvalidUrlClientError(url)

    monkeypatch.setattr(request._session, "request", refuse)
    try:
        with pytest.raises(NetworkError) as raised:
            await request.post(url, RequestData())
    finally:
        await request.shutdown()
    assert TOKEN not in str(raised.value) and "/bot<token>/getMe" in str(raised.value)
