"""A fake Telegram Bot API server for end-to-end tests (aiohttp, loopback only).

The bot under test talks to it exactly as it would to ``api.telegram.org``::

    async with FakeBotApi(token="123:ABC") as api:
        app = api.application_builder().build()   # or .base_url(f"{api.base_url}/bot") yourself
        async with api.polling(app):
            api.send_text(alice, "hi")
            await api.wait_for_messages(alice.id, 1)

Everything runs in the test's event loop; every wait is bounded by a deadline.
"""

from __future__ import annotations

import contextlib
import inspect
import time
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from sandan.fakebot.chats import ChatState
from sandan.fakebot.faults import Faults
from sandan.fakebot.methods_edits import EditMethods
from sandan.fakebot.methods_files import FileMethods
from sandan.fakebot.methods_messages import MessageMethods
from sandan.fakebot.methods_settings import SettingsMethods
from sandan.fakebot.methods_updates import UpdateMethods
from sandan.fakebot.params import read_params
from sandan.fakebot.recording import Recording
from sandan.fakebot.types import ApiError, Call, JSONDict
from sandan.fakebot.updates import UpdateInjection
from sandan.fakebot.webhook import WebhookDelivery


def _connected(request: web.Request) -> bool:
    transport = request.transport
    return transport is not None and not transport.is_closing()


class FakeBotApi(
    Recording,
    Faults,
    UpdateInjection,
    WebhookDelivery,
    ChatState,
    MessageMethods,
    EditMethods,
    UpdateMethods,
    FileMethods,
    SettingsMethods,
):
    """A fake Bot API on ``127.0.0.1`` that records calls and serves injected updates.

    Use as ``async with FakeBotApi(token="123:ABC") as api``; ``api.base_url`` is the root
    (``http://127.0.0.1:PORT``), the bot appends ``/bot<token>/<method>``.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_username: str = "sandan_test_bot",
        bot_first_name: str = "Sandan Test Bot",
        port: int = 0,
        max_poll_timeout: float = 1.0,
    ):
        self.token = token
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.max_poll_timeout = max_poll_timeout
        self._port = port
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self.base_url = ""
        self._closing = False
        self._init_recording()
        self._init_updates()
        self._init_webhook()
        self._init_chats()
        self._init_files()
        self._init_settings()
        self._init_faults()

    # -----------------------------------------------------------------------------------------
    # lifecycle
    # -----------------------------------------------------------------------------------------

    async def start(self) -> FakeBotApi:
        """Start listening on 127.0.0.1 (an ephemeral port unless one was given)."""
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_path)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, "127.0.0.1", self._port, reuse_address=True)
        await self._site.start()
        server = self._site._server
        assert server is not None and server.sockets, "fake Bot API failed to bind"
        port = server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        self._closing = True
        await self._stop_webhook()
        self._updates_event.set()
        self._activity.set()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        """``<root>/bot`` — what PTB's ``base_url`` wants."""
        return f"{self.base_url}/bot"

    @property
    def file_url(self) -> str:
        """``<root>/file/bot`` — what PTB's ``base_file_url`` wants."""
        return f"{self.base_url}/file/bot"

    def application_builder(self) -> Any:
        """A ``telegram.ext.ApplicationBuilder`` with token and URLs pointing here."""
        from telegram.ext import ApplicationBuilder

        return ApplicationBuilder().token(self.token).base_url(self.api_url).base_file_url(self.file_url)

    @contextlib.asynccontextmanager
    async def polling(self, app: Any, *, timeout: int = 1, **kwargs: Any) -> AsyncIterator[Any]:  # noqa: ASYNC109
        """Run a PTB ``Application`` with long polling against this server for the block."""
        await app.initialize()
        try:
            await app.start()
            try:
                await app.updater.start_polling(poll_interval=0, timeout=timeout, **kwargs)
                try:
                    yield app
                finally:
                    if app.updater.running:
                        await app.updater.stop()
            finally:
                if app.running:
                    await app.stop()
        finally:
            await app.shutdown()

    # -----------------------------------------------------------------------------------------
    # HTTP: each request is parsed, checked for faults, dispatched to its _m_<method>, recorded
    # -----------------------------------------------------------------------------------------

    @staticmethod
    def _canonical(method: str) -> str:
        """The Bot API spelling of a method name (names are case-insensitive); unknown ones as is."""
        return _METHOD_NAMES.get(method.lower(), method)

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        raw_method = request.match_info["method"]
        method = self._canonical(raw_method)
        try:
            params, files = await read_params(request)
        except Exception as exc:  # malformed body
            params, files = {}, {}
            call = Call(method, params, time.time(), request.method, request.content_type, files)
            return self._finish(call, ApiError(400, f"Bad Request: can't parse request: {exc}"))
        call = Call(method, params, time.time(), request.method, request.content_type, files)

        if request.match_info["token"] != self.token:
            return self._finish(call, ApiError(401, "Unauthorized"))

        fault = self._take_fault(method, params)
        if fault is not None and fault.drop:
            call.status = 0
            call.response = {"dropped": True}
            self.status_counts[0] += 1
            self._record(call)
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)  # never reaches the client
        if fault is not None:
            return self._finish(call, ApiError(fault.status, fault.description, fault.retry_after))

        throttled = self._check_rate_limit(method, params)
        if throttled is not None:
            self.rate_limited_count += 1
            return self._finish(call, ApiError(429, f"Too Many Requests: retry after {throttled}", throttled))

        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._finish(call, ApiError(404, "Not Found: method not found"))
        recorded = False
        try:
            if method == "getUpdates":
                self._record(call)  # long polls are visible while they wait
                recorded = True
                result = await handler(params, alive=lambda: _connected(request))
            else:
                recorded = False
                result = handler(params)
                if inspect.isawaitable(result):  # deleteWebhook waits for deliveries to stop
                    result = await result
        except ApiError as err:
            return self._finish(call, err, recorded=recorded)
        except (KeyError, TypeError, ValueError) as exc:
            error = ApiError(400, f"Bad Request: {exc.__class__.__name__}: {exc}")
            return self._finish(call, error, recorded=recorded)
        return self._finish(call, result=result, recorded=recorded)

    def _finish(
        self, call: Call, error: ApiError | None = None, result: Any = None, *, recorded: bool = False
    ) -> web.Response:
        if error is None:
            body: JSONDict = {"ok": True, "result": result}
            call.status = 200
        else:
            body = {"ok": False, "error_code": error.status, "description": error.description}
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            call.status = error.status
        call.response = body
        self.status_counts[call.status] += 1
        if not recorded:
            self._calls.append(call)
        self._activity.set()
        return web.json_response(body, status=call.status)


# Every Bot API method the fake implements: the _m_<method> of FakeBotApi, by lower-case name.
_METHOD_NAMES = {name[3:].lower(): name[3:] for name in dir(FakeBotApi) if name.startswith("_m_")}
