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

import asyncio
import contextlib
import copy
import inspect
import itertools
import json
import math
import re
import time
import zlib
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

__all__ = ["Call", "FakeBotApi", "FakeUser", "UploadedFile"]

JSONDict = dict[str, Any]

# ---------------------------------------------------------------------------------------------
# Public data types
# ---------------------------------------------------------------------------------------------


@dataclass
class FakeUser:
    """A Telegram user who talks to the bot in a private chat (chat id == user id)."""

    id: int
    first_name: str
    last_name: str = ""
    username: str | None = None
    language_code: str | None = "zh-hans"

    def to_dict(self) -> JSONDict:
        """The Bot API ``User`` object."""
        out: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        if self.language_code:
            out["language_code"] = self.language_code
        return out

    def chat_dict(self) -> JSONDict:
        """The Bot API ``Chat`` object of the private chat with this user."""
        out: JSONDict = {"id": self.id, "first_name": self.first_name}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        out["type"] = "private"
        return out


@dataclass
class UploadedFile:
    """A file the bot uploaded in a multipart request."""

    field: str
    filename: str | None
    content: bytes
    content_type: str | None = None

    def __repr__(self) -> str:
        return f"UploadedFile({self.field!r}, filename={self.filename!r}, {len(self.content)} bytes)"


@dataclass
class Call:
    """One HTTP request the bot made to the fake API."""

    method: str
    params: JSONDict
    time: float
    http_method: str = "POST"
    content_type: str = ""
    files: dict[str, UploadedFile] = field(default_factory=dict)
    status: int = 200
    response: JSONDict | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        """The ``result`` of a successful call, else ``None``."""
        return (self.response or {}).get("result")

    @property
    def chat_id(self) -> int | str | None:
        return self.params.get("chat_id")

    def __repr__(self) -> str:
        return f"Call({self.method}, status={self.status}, params={_short(self.params)})"


@dataclass
class _Fault:
    method: str  # canonical lower-case method name, or "*"
    status: int
    description: str
    retry_after: int | None
    chat_id: int | str | None
    remaining: int | None  # None: until cleared
    drop: bool


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    kind: str  # directory in file_path: photos, documents, voice, stickers, ...
    file_name: str | None = None
    mime_type: str | None = None
    file_path: str | None = None


class _ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


# ---------------------------------------------------------------------------------------------
# Parameter decoding
# ---------------------------------------------------------------------------------------------

# Parameters that are strings in the Bot API and must never be JSON-decoded ("123" stays "123").
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "description",
        "short_description",
        "name",
        "title",
        "query",
        "phone_number",
        "first_name",
        "last_name",
        "vcard",
        "callback_query_id",
        "url",
        "parse_mode",
        "action",
        "emoji",
        "file_id",
        "language_code",
        "data",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "question",
        "address",
        "explanation",
        "secret_token",
        "ip_address",
        "custom_title",
        "invite_link",
        "sticker_set_name",
        "webhook_url",
        "certificate",
        "photo",
        "document",
        "voice",
        "audio",
        "video",
        "animation",
        "sticker",
        "video_note",
        "thumbnail",
    }
)
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def _decode_value(key: str, value: str) -> Any:
    """Form values arrive as strings; PTB JSON-encodes everything that isn't a plain string."""
    if key in _STRING_FIELDS:
        return value
    stripped = value.strip()
    if stripped[:1] in ("{", "[") or stripped in ("true", "false", "null") or _NUMBER.fullmatch(stripped):
        try:
            return json.loads(stripped)
        except ValueError:
            return value
    return value


def _decode_nested_json(params: JSONDict) -> JSONDict:
    """In JSON bodies some clients still send nested objects as JSON strings; decode those."""
    for key, value in list(params.items()):
        if isinstance(value, str) and key not in _STRING_FIELDS and value[:1] in ("{", "["):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


def _short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _connected(request: web.Request) -> bool:
    transport = request.transport
    return transport is not None and not transport.is_closing()


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------------------------------------
# HTML parse_mode checks (close enough to Telegram to catch unescaped user input)
# ---------------------------------------------------------------------------------------------

_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)


class _HtmlChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.plain: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.error:
            return
        if tag not in _HTML_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
            return
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.error:
            self.error = f'Unsupported start tag "{tag}"'

    def handle_endtag(self, tag: str) -> None:
        if self.error:
            return
        if not self.stack or self.stack[-1] != tag:
            self.error = f'Unmatched end tag "{tag}"'
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.plain.append(data)


def _check_html(text: str) -> str:
    """Return the plain text Telegram would store, or raise a 400 like Telegram does."""
    checker = _HtmlChecker()
    checker.feed(text)
    unterminated = re.match(r"</?[a-zA-Z]", checker.rawdata)  # e.g. a trailing "<b"
    checker.close()
    if checker.error is None and checker.stack:
        checker.error = f'Can\'t find end tag corresponding to start tag "{checker.stack[-1]}"'
    if checker.error is None and unterminated:
        checker.error = "Unexpected end of name token"
    if checker.error:
        raise _ApiError(400, f"Bad Request: can't parse entities: {checker.error}")
    return "".join(checker.plain)  # convert_charrefs already unescaped &amp; etc.


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------

_MESSAGE_SENDERS = {
    # method -> (media field, directory for file_path)
    "sendMessage": (None, None),
    "sendPhoto": ("photo", "photos"),
    "sendDocument": ("document", "documents"),
    "sendVoice": ("voice", "voice"),
    "sendAudio": ("audio", "music"),
    "sendVideo": ("video", "videos"),
    "sendAnimation": ("animation", "animations"),
    "sendSticker": ("sticker", "stickers"),
    "sendLocation": (None, None),
    "sendContact": (None, None),
}

_KNOWN_METHODS = [
    "getMe",
    "logOut",
    "close",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    *_MESSAGE_SENDERS,
    "sendChatAction",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "deleteMessage",
    "answerCallbackQuery",
    "getFile",
    "setMyCommands",
    "deleteMyCommands",
    "getMyCommands",
    "setMyDescription",
    "getMyDescription",
    "setMyShortDescription",
    "getMyShortDescription",
    "setMyName",
    "getMyName",
    "setChatMenuButton",
    "getChatMenuButton",
    "getChat",
]
_CANONICAL = {name.lower(): name for name in _KNOWN_METHODS}

# Calls counted by rate_limit(): anything that puts or changes a message in a chat.
_RATE_LIMITED_PREFIXES = ("send", "edit", "copymessage", "forwardmessage")

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

_FAKE_JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 16 + b"\xff\xd9"
)
_FAKE_OGG = b"OggS\x00\x02" + b"\x00" * 26
_FAKE_WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 " + b"\x00" * 14
_FAKE_PDF = b"%PDF-1.4\n%fake\n%%EOF\n"


class FakeBotApi:
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

        # recorded traffic
        self._calls: list[Call] = []
        self._sent: list[JSONDict] = []
        self.status_counts: Counter[int] = Counter()
        self.rate_limited_count = 0
        self._activity = asyncio.Event()

        # updates
        self._update_ids = itertools.count(1)
        self._history: dict[int, JSONDict] = {}  # every injected update, by id
        self._pending: deque[JSONDict] = deque()  # not yet confirmed
        self._redeliver: deque[JSONDict] = deque()  # deliver_twice() copies
        self._confirmed_below = 0  # highest offset seen: updates below it are confirmed
        self._updates_event = asyncio.Event()
        self._allowed_updates: list[str] | None = None
        self.webhook_url = ""

        # chat state
        self._users: dict[int, FakeUser] = {}
        self._message_ids: dict[int | str, itertools.count] = {}
        self._messages: dict[tuple[int | str, int], JSONDict] = {}  # current state
        self._callback_ids = itertools.count(1)
        self.callback_queries: dict[str, JSONDict] = {}  # id -> query
        self.callback_answers: dict[str, JSONDict] = {}  # id -> answerCallbackQuery params

        # files
        self._file_seq = itertools.count(1)
        self._files: dict[str, _StoredFile] = {}
        self._paths: dict[str, _StoredFile] = {}

        # bot settings
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}  # (scope json, lang) -> commands
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}

        # faults and rate limits
        self._faults: list[_Fault] = []
        self._limit_global: int | None = None
        self._limit_chat: int | None = None
        self._recent_global: deque[float] = deque()
        self._recent_chat: dict[int | str, deque[float]] = {}

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
    # recorded traffic
    # -----------------------------------------------------------------------------------------

    def calls(self, method: str | None = None, chat_id: int | str | None = None) -> list[Call]:
        """Recorded calls, oldest first, optionally only one method and/or one chat."""
        wanted = _CANONICAL.get(method.lower(), method) if method else None
        return [
            c
            for c in self._calls
            if (wanted is None or c.method == wanted) and (chat_id is None or c.chat_id == chat_id)
        ]

    def sent_messages(self, chat_id: int | str | None = None) -> list[JSONDict]:
        """Messages the bot sent successfully (as returned to it), oldest first."""
        return [m for m in self._sent if chat_id is None or m["chat"]["id"] == chat_id]

    def last_message(self, chat_id: int | str) -> JSONDict | None:
        """The last message the bot sent to ``chat_id``, edits applied; ``None`` if none."""
        sent = self.sent_messages(chat_id)
        if not sent:
            return None
        return self.message(chat_id, sent[-1]["message_id"]) or sent[-1]

    def message(self, chat_id: int | str, message_id: int) -> JSONDict | None:
        """The current state (after edits, ``None`` after deletion) of any message in a chat."""
        msg = self._messages.get((chat_id, message_id))
        return copy.deepcopy(msg) if msg is not None else None

    def clear(self) -> None:
        """Forget recorded calls, sent messages and counters (chat state and updates stay)."""
        self._calls.clear()
        self._sent.clear()
        self.status_counts.clear()
        self.rate_limited_count = 0

    @property
    def count_429(self) -> int:
        """How many 429 Too Many Requests answers were given (injected or rate limiting)."""
        return self.status_counts[429]

    def file_content(self, file_id: str) -> bytes:
        """The bytes stored for a file id (uploaded by the bot or registered by a test)."""
        return self._files[file_id].content

    def add_file(
        self,
        content: bytes,
        *,
        file_id: str | None = None,
        kind: str = "documents",
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> str:
        """Register a downloadable file (for getFile + download); returns its file_id."""
        return self._store_file(content, kind=kind, file_id=file_id, file_name=file_name, mime_type=mime_type)

    # -----------------------------------------------------------------------------------------
    # waiting
    # -----------------------------------------------------------------------------------------

    async def wait_for(self, predicate: Callable[..., Any], timeout: float = 5.0) -> Any:  # noqa: ASYNC109
        """Wait until ``predicate()`` or ``predicate(api)`` is truthy; return its value.

        Raises AssertionError with a dump of recent calls when ``timeout`` passes.
        """
        try:
            wants_api = bool(inspect.signature(predicate).parameters)
        except (TypeError, ValueError):
            wants_api = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._activity.clear()
            value = predicate(self) if wants_api else predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                raise AssertionError(f"wait_for timed out after {timeout}s\n{self.dump()}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._activity.wait(), min(remaining, 0.05))

    async def wait_for_messages(self, chat_id: int | str, n: int = 1, timeout: float = 5.0) -> list[JSONDict]:  # noqa: ASYNC109
        """Wait until the bot has sent at least ``n`` messages to ``chat_id`` (since clear())."""
        try:
            return await self.wait_for(
                lambda: len(self.sent_messages(chat_id)) >= n and self.sent_messages(chat_id), timeout
            )
        except AssertionError as exc:
            got = len(self.sent_messages(chat_id))
            raise AssertionError(f"expected {n} message(s) to chat {chat_id}, got {got}\n{exc}") from None

    async def wait_for_call(
        self,
        method: str,
        chat_id: int | str | None = None,
        n: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Call:
        """Wait until ``method`` was called ``n`` times (optionally for ``chat_id``); return the n-th call."""
        calls = await self.wait_for(
            lambda: len(self.calls(method, chat_id)) >= n and self.calls(method, chat_id), timeout
        )
        return calls[n - 1]

    async def wait_confirmed(self, update_id: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed ``update_id`` (called getUpdates with a higher offset)."""
        await self.wait_for(lambda: self._confirmed_below > update_id, timeout)

    def dump(self, last: int = 30) -> str:
        """Human-readable summary of recent calls and pending updates (for failure messages).

        Successful getUpdates polls are only counted, so they don't drown the interesting calls.
        """
        polls = [c for c in self._calls if c.method == "getUpdates" and c.ok]
        shown = [c for c in self._calls if not (c.method == "getUpdates" and c.ok)][-last:]
        lines = [
            f"recorded calls: {len(self._calls)} ({len(polls)} getUpdates polls not shown); last {last}:"
        ]
        for c in shown:
            desc = "" if c.ok else f" -> {(c.response or {}).get('description', '')}"
            lines.append(f"  {c.method} [{c.status}]{desc} {_short(c.params, 200)}")
        lines.append(
            f"sent messages: {[(m['chat']['id'], m.get('text', '<media>')) for m in self._sent[-10:]]}"
        )
        lines.append(f"pending updates: {[u['update_id'] for u in self._pending]}")
        lines.append(f"confirmed below: {self._confirmed_below}")
        return "\n".join(lines)

    # -----------------------------------------------------------------------------------------
    # faults and rate limits
    # -----------------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str = "*",
        status: int = 429,
        *,
        retry_after: int | None = None,
        count: int | None = 1,
        description: str | None = None,
        chat_id: int | str | None = None,
        drop: bool = False,
    ) -> None:
        """Make the next ``count`` calls of ``method`` ("*" = any) fail (``count=None``: until cleared).

        ``status`` picks the Bot API error (429 gets ``retry_after``, default 1); ``chat_id``
        restricts the fault to calls for that chat; ``drop=True`` closes the connection without an
        answer instead (the client sees a network error).
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        desc = description or _DEFAULT_DESCRIPTIONS.get(status, "Error").format(retry_after=retry_after)
        self._faults.append(
            _Fault(
                method=method.lower(),
                status=status,
                description=desc,
                retry_after=retry_after,
                chat_id=chat_id,
                remaining=count,
                drop=drop,
            )
        )

    def drop_next(self, method: str = "*", count: int | None = 1, chat_id: int | str | None = None) -> None:
        """Close the connection without answering the next ``count`` calls of ``method``."""
        self.fail_next(method, 0, count=count, chat_id=chat_id, drop=True)

    def block(self, chat_id: int | str) -> None:
        """The user blocked the bot: every call for ``chat_id`` answers 403 until ``clear_faults``."""
        self.fail_next("*", 403, chat_id=chat_id, count=None)

    def clear_faults(self) -> None:
        """Remove all pending injected faults."""
        self._faults.clear()

    def rate_limit(self, per_second_global: int | None = 30, per_chat_per_second: int | None = 1) -> None:
        """Answer 429 (with retry_after) when sends/edits exceed these per-second limits.

        Only calls that put or change messages in a chat count. ``None`` disables one limit;
        ``rate_limit(None, None)`` switches rate limiting off.
        """
        self._limit_global = per_second_global
        self._limit_chat = per_chat_per_second
        self._recent_global.clear()
        self._recent_chat.clear()

    # -----------------------------------------------------------------------------------------
    # update injection
    # -----------------------------------------------------------------------------------------

    def inject_raw(self, update: JSONDict) -> int:
        """Queue an update dict as is (an ``update_id`` is assigned if missing); returns the id."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update["update_id"] = next(self._update_ids)
        else:
            # keep later generated ids above injected ones
            nxt = next(self._update_ids)
            if update["update_id"] >= nxt:
                self._update_ids = itertools.count(update["update_id"] + 1)
            else:
                self._update_ids = itertools.count(nxt)
        self._history[update["update_id"]] = update
        self._pending.append(update)
        self._wake_pollers()
        return update["update_id"]

    def deliver_twice(self, update_id: int) -> int:
        """Deliver an (already confirmed or not) update again with the same update_id."""
        if update_id not in self._history:
            raise KeyError(f"no update {update_id} was injected")
        self._redeliver.append(copy.deepcopy(self._history[update_id]))
        self._wake_pollers()
        return update_id

    def update(self, update_id: int) -> JSONDict:
        """A copy of an injected update."""
        return copy.deepcopy(self._history[update_id])

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates injected but not confirmed yet."""
        return [copy.deepcopy(u) for u in self._pending]

    def send_text(self, user: FakeUser, text: str, *, reply_to: JSONDict | None = None) -> int:
        """The user sends a text message; returns the update_id."""
        extra: JSONDict = {"text": text}
        if reply_to is not None:
            extra["reply_to_message"] = reply_to
        return self._user_message(user, extra)

    def send_command(self, user: FakeUser, command: str) -> int:
        """The user sends a command like ``"/start b_A"`` (with its bot_command entity)."""
        if not command.startswith("/"):
            command = "/" + command
        head = command.split(maxsplit=1)[0]
        entity = {"offset": 0, "length": _utf16_len(head), "type": "bot_command"}
        return self._user_message(user, {"text": command, "entities": [entity]})

    def press(self, user: FakeUser, message: JSONDict, data: str, *, strict: bool = True) -> int:
        """The user presses the inline button with ``data`` under a message the bot sent.

        The message is attached in its current state (edits applied). With ``strict`` the
        button must exist in its current inline keyboard (a ValueError says which do).
        """
        chat_id = message["chat"]["id"]
        current = self._messages.get((chat_id, message["message_id"]), message)
        if strict:
            buttons = [
                b.get("callback_data")
                for row in (current.get("reply_markup") or {}).get("inline_keyboard", [])
                for b in row
            ]
            if data not in buttons:
                raise ValueError(f"no button with callback_data {data!r} on message; buttons: {buttons}")
        query_id = f"{self.bot_id}{next(self._callback_ids):010d}"
        query = {
            "id": query_id,
            "from": self._remember(user).to_dict(),
            "message": copy.deepcopy(current),
            "chat_instance": str(-zlib.crc32(f"{chat_id}:{self.bot_id}".encode()) * 10**8),
            "data": data,
        }
        self.callback_queries[query_id] = query
        return self.inject_raw({"callback_query": query})

    def send_contact(self, user: FakeUser, phone: str, *, own: bool = True) -> int:
        """The user shares a contact (their own by default, as with a request_contact button)."""
        contact: JSONDict = {"phone_number": phone, "first_name": user.first_name}
        if user.last_name:
            contact["last_name"] = user.last_name
        if own:
            contact["user_id"] = user.id
        return self._user_message(user, {"contact": contact})

    def send_photo(self, user: FakeUser, file_id: str | None = None, caption: str | None = None) -> int:
        """The user sends a photo (three sizes; the largest has ``file_id``)."""
        file_id = file_id or self._new_file_id("photos")
        if file_id not in self._files:
            self._store_file(_FAKE_JPEG, kind="photos", file_id=file_id, mime_type="image/jpeg")
        extra: JSONDict = {"photo": self._photo_sizes(file_id)}
        if caption is not None:
            extra["caption"] = caption
        return self._user_message(user, extra)

    def send_voice(self, user: FakeUser, file_id: str | None = None, duration: int = 3) -> int:
        """The user sends a voice note."""
        file_id = file_id or self._new_file_id("voice")
        if file_id not in self._files:
            self._store_file(_FAKE_OGG, kind="voice", file_id=file_id, mime_type="audio/ogg")
        stored = self._files[file_id]
        voice = {
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        return self._user_message(user, {"voice": voice})

    def send_location(self, user: FakeUser, lat: float, lon: float) -> int:
        """The user shares a location."""
        return self._user_message(user, {"location": {"latitude": lat, "longitude": lon}})

    def send_sticker(self, user: FakeUser, file_id: str | None = None, emoji: str = "👍") -> int:
        """The user sends a sticker."""
        file_id = file_id or self._new_file_id("stickers")
        if file_id not in self._files:
            self._store_file(_FAKE_WEBP, kind="stickers", file_id=file_id, mime_type="image/webp")
        stored = self._files[file_id]
        sticker = {
            "width": 512,
            "height": 512,
            "emoji": emoji,
            "set_name": "FakeStickers",
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        return self._user_message(user, {"sticker": sticker})

    def send_document(
        self,
        user: FakeUser,
        file_id: str | None = None,
        *,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        content: bytes = _FAKE_PDF,
        caption: str | None = None,
    ) -> int:
        """The user sends a file."""
        file_id = file_id or self._new_file_id("documents")
        if file_id not in self._files:
            self._store_file(
                content, kind="documents", file_id=file_id, file_name=file_name, mime_type=mime_type
            )
        stored = self._files[file_id]
        document = {
            "file_name": file_name,
            "mime_type": mime_type,
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        extra: JSONDict = {"document": document}
        if caption is not None:
            extra["caption"] = caption
        return self._user_message(user, extra)

    # -----------------------------------------------------------------------------------------
    # internals: chats, messages, files
    # -----------------------------------------------------------------------------------------

    def _remember(self, user: FakeUser) -> FakeUser:
        self._users[user.id] = user
        return user

    def _next_message_id(self, chat_id: int | str) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def _user_message(self, user: FakeUser, extra: JSONDict) -> int:
        self._remember(user)
        msg: JSONDict = {
            "message_id": self._next_message_id(user.id),
            "from": user.to_dict(),
            "chat": user.chat_dict(),
            "date": int(time.time()),
            **extra,
        }
        self._messages[(user.id, msg["message_id"])] = msg
        return self.inject_raw({"message": msg})

    def _bot_user(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _chat(self, chat_id: int | str) -> JSONDict:
        if isinstance(chat_id, int) and chat_id in self._users:
            return self._users[chat_id].chat_dict()
        if isinstance(chat_id, str):
            return {
                "id": -1000000000001,
                "title": chat_id,
                "username": chat_id.lstrip("@"),
                "type": "channel",
            }
        if chat_id > 0:
            return {"id": chat_id, "first_name": f"User{chat_id}", "type": "private"}
        return {
            "id": chat_id,
            "title": f"Group {chat_id}",
            "type": "supergroup" if chat_id < -(10**12) else "group",
        }

    def _wake_pollers(self) -> None:
        event, self._updates_event = self._updates_event, asyncio.Event()
        event.set()

    def _new_file_id(self, kind: str) -> str:
        prefix = {"photos": "AgACAgIAAxk", "voice": "AwACAgIAAxk", "stickers": "CAACAgIAAxk"}.get(
            kind, "BQACAgIAAxk"
        )
        return f"{prefix}{next(self._file_seq):08d}"

    def _store_file(
        self,
        content: bytes,
        *,
        kind: str,
        file_id: str | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> str:
        file_id = file_id or self._new_file_id(kind)
        stored = _StoredFile(
            file_id=file_id,
            file_unique_id=f"AQAD{zlib.crc32(file_id.encode()):010d}",
            content=content,
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[file_id] = stored
        return file_id

    def _photo_sizes(self, file_id: str) -> list[JSONDict]:
        stored = self._files[file_id]
        sizes = []
        for suffix, side in (("-s", 90), ("-m", 320), ("", 800)):
            fid = file_id + suffix
            if fid not in self._files:
                self._files[fid] = _StoredFile(
                    fid, stored.file_unique_id + suffix, stored.content, stored.kind, None, stored.mime_type
                )
            sizes.append(
                {
                    "file_id": fid,
                    "file_unique_id": self._files[fid].file_unique_id,
                    "file_size": len(stored.content),
                    "width": side,
                    "height": side,
                }
            )
        return sizes

    # -----------------------------------------------------------------------------------------
    # HTTP handlers
    # -----------------------------------------------------------------------------------------

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self._paths.get(request.match_info["path"])
        if stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    async def _read_params(self, request: web.Request) -> tuple[JSONDict, dict[str, UploadedFile]]:
        params: JSONDict = {k: _decode_value(k, v) for k, v in request.query.items()}
        files: dict[str, UploadedFile] = {}
        if request.method == "GET" or not request.can_read_body:
            return params, files
        ctype = request.content_type
        if ctype == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(_decode_nested_json(body))
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form: MultiDictProxy[Any] = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    upload = UploadedFile(key, value.filename, value.file.read(), value.content_type)
                    files[key] = upload
                    params[key] = upload
                else:
                    params[key] = _decode_value(key, value)
        else:
            raw = await request.read()
            if raw:
                with contextlib.suppress(ValueError):
                    body = json.loads(raw)
                    if isinstance(body, dict):
                        params.update(_decode_nested_json(body))
        return params, files

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        raw_method = request.match_info["method"]
        method = _CANONICAL.get(raw_method.lower(), raw_method)
        try:
            params, files = await self._read_params(request)
        except Exception as exc:  # malformed body
            params, files = {}, {}
            call = Call(method, params, time.time(), request.method, request.content_type, files)
            return self._finish(call, _ApiError(400, f"Bad Request: can't parse request: {exc}"))
        call = Call(method, params, time.time(), request.method, request.content_type, files)

        if request.match_info["token"] != self.token:
            return self._finish(call, _ApiError(401, "Unauthorized"))

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
            return self._finish(call, _ApiError(fault.status, fault.description, fault.retry_after))

        throttled = self._check_rate_limit(method, params)
        if throttled is not None:
            self.rate_limited_count += 1
            return self._finish(
                call, _ApiError(429, f"Too Many Requests: retry after {throttled}", throttled)
            )

        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._finish(call, _ApiError(404, "Not Found: method not found"))
        recorded = False
        try:
            if method == "getUpdates":
                self._record(call)  # long polls are visible while they wait
                recorded = True
                result = await handler(params, alive=lambda: _connected(request))
            else:
                recorded = False
                result = handler(params)
        except _ApiError as err:
            return self._finish(call, err, recorded=recorded)
        except (KeyError, TypeError, ValueError) as exc:
            error = _ApiError(400, f"Bad Request: {exc.__class__.__name__}: {exc}")
            return self._finish(call, error, recorded=recorded)
        return self._finish(call, result=result, recorded=recorded)

    def _record(self, call: Call) -> None:
        self._calls.append(call)
        self._activity.set()

    def _finish(
        self, call: Call, error: _ApiError | None = None, result: Any = None, *, recorded: bool = False
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

    def _take_fault(self, method: str, params: JSONDict) -> _Fault | None:
        for fault in self._faults:
            if fault.method not in ("*", method.lower()):
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
            return fault
        return None

    def _check_rate_limit(self, method: str, params: JSONDict) -> int | None:
        if self._limit_global is None and self._limit_chat is None:
            return None
        if not method.lower().startswith(_RATE_LIMITED_PREFIXES) or method == "sendChatAction":
            return None
        now = time.monotonic()
        chat_id = params.get("chat_id")
        windows: list[tuple[deque[float], int]] = []
        if self._limit_global is not None:
            windows.append((self._recent_global, self._limit_global))
        if self._limit_chat is not None and chat_id is not None:
            windows.append((self._recent_chat.setdefault(chat_id, deque()), self._limit_chat))
        wait = 0.0
        for window, limit in windows:
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                wait = max(wait, window[0] + 1.0 - now)
        if wait > 0:
            return max(1, math.ceil(wait))
        for window, _ in windows:
            window.append(now)
        return None

    # -----------------------------------------------------------------------------------------
    # Bot API methods (each takes decoded params, returns the result or raises _ApiError)
    # -----------------------------------------------------------------------------------------

    def _m_getMe(self, params: JSONDict) -> JSONDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_logOut(self, params: JSONDict) -> bool:
        return True

    def _m_close(self, params: JSONDict) -> bool:
        return True

    def _m_setWebhook(self, params: JSONDict) -> bool:
        self.webhook_url = str(params["url"])
        if params.get("drop_pending_updates"):
            self._drop_pending()
        return True

    def _m_deleteWebhook(self, params: JSONDict) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._drop_pending()
        return True

    def _m_getWebhookInfo(self, params: JSONDict) -> JSONDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    def _drop_pending(self) -> None:
        if self._pending:
            self._confirmed_below = max(self._confirmed_below, self._pending[-1]["update_id"] + 1)
        self._pending.clear()
        self._redeliver.clear()

    def _confirm(self, offset: int) -> None:
        if offset < 0:  # -N: forget all but the last N
            keep = list(self._pending)[offset:]
            if keep:
                offset = keep[0]["update_id"]
            elif self._pending:
                offset = self._pending[-1]["update_id"] + 1
            else:
                return
        while self._pending and self._pending[0]["update_id"] < offset:
            self._pending.popleft()
        self._confirmed_below = max(self._confirmed_below, offset)
        self._activity.set()

    def _take_updates(self, limit: int) -> list[JSONDict]:
        batch: list[JSONDict] = []
        while self._redeliver and len(batch) < limit:
            batch.append(self._redeliver.popleft())
        allowed = self._allowed_updates
        for update in self._pending:
            if len(batch) >= limit:
                break
            kinds = set(update) - {"update_id"}
            if allowed and not kinds & set(allowed):
                continue
            batch.append(copy.deepcopy(update))
        return batch

    async def _m_getUpdates(
        self, params: JSONDict, alive: Callable[[], bool] = lambda: True
    ) -> list[JSONDict]:
        if self.webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        if offset is not None:
            self._confirm(int(offset))
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), self.max_poll_timeout)
        if "allowed_updates" in params and params["allowed_updates"] is not None:
            self._allowed_updates = list(params["allowed_updates"]) or None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._updates_event
            if not alive():  # the client gave up on this long poll: don't hand it anything
                return []
            batch = self._take_updates(limit)
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0:
                return batch
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _text_and_markup(self, params: JSONDict, key: str) -> tuple[str | None, JSONDict | None]:
        text = params.get(key)
        if text is not None:
            text = str(text)
            if params.get("parse_mode") and str(params["parse_mode"]).upper() == "HTML":
                text = _check_html(text)
        markup = params.get("reply_markup")
        if markup is not None:
            self._check_markup(markup)
        return text, markup

    @staticmethod
    def _check_markup(markup: Any) -> None:
        if not isinstance(markup, dict):
            raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not str(button.get("text", "")).strip():
                    raise _ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        for row in markup.get("keyboard", []):
            for button in row:
                text = button if isinstance(button, str) else button.get("text", "")
                if not str(text).strip():
                    raise _ApiError(400, "Bad Request: keyboard button text is empty")

    def _chat_id(self, params: JSONDict) -> int | str:
        if "chat_id" not in params or params["chat_id"] in ("", None):
            raise _ApiError(400, "Bad Request: chat_id is empty")
        return params["chat_id"]

    def _new_bot_message(self, params: JSONDict, extra: JSONDict, markup: JSONDict | None) -> JSONDict:
        chat_id = self._chat_id(params)
        msg: JSONDict = {
            "message_id": self._next_message_id(chat_id),
            "from": self._bot_user(),
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            **extra,
        }
        if markup is not None and "inline_keyboard" in markup:
            msg["reply_markup"] = markup  # Telegram echoes only inline keyboards
        reply = params.get("reply_parameters") or {}
        reply_to = reply.get("message_id") if isinstance(reply, dict) else None
        reply_to = reply_to or params.get("reply_to_message_id")
        if reply_to is not None:
            original = self._messages.get((chat_id, int(reply_to)))
            if original is not None:
                msg["reply_to_message"] = copy.deepcopy(original)
            elif not (isinstance(reply, dict) and reply.get("allow_sending_without_reply")):
                raise _ApiError(400, "Bad Request: message to be replied not found")
        self._messages[(chat_id, msg["message_id"])] = msg
        result = copy.deepcopy(msg)
        self._sent.append(copy.deepcopy(msg))
        return result

    def _m_sendMessage(self, params: JSONDict) -> JSONDict:
        text, markup = self._text_and_markup(params, "text")
        if not text or not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        return self._new_bot_message(params, {"text": text}, markup)

    def _resolve_media(self, params: JSONDict, field_name: str, kind: str) -> _StoredFile:
        value = params.get(field_name)
        if isinstance(value, UploadedFile):
            fid = self._store_file(
                value.content, kind=kind, file_name=value.filename, mime_type=value.content_type
            )
            return self._files[fid]
        if isinstance(value, str) and value.startswith("attach://"):
            upload = params.get(value.removeprefix("attach://"))
            if isinstance(upload, UploadedFile):
                fid = self._store_file(
                    upload.content, kind=kind, file_name=upload.filename, mime_type=upload.content_type
                )
                return self._files[fid]
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            name = value.rsplit("/", 1)[-1] or None
            fid = self._store_file(b"downloaded:" + value.encode(), kind=kind, file_name=name)
            return self._files[fid]
        if value is None or value == "":
            raise _ApiError(400, f"Bad Request: there is no {field_name} in the request")
        raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _send_media(self, params: JSONDict, method: str) -> JSONDict:
        field_name, kind = _MESSAGE_SENDERS[method]
        assert field_name is not None and kind is not None
        caption, markup = self._text_and_markup(params, "caption")
        if caption is not None and len(caption) > 1024:
            raise _ApiError(400, "Bad Request: message caption is too long")
        stored = self._resolve_media(params, field_name, kind)
        media: Any
        if field_name == "photo":
            media = self._photo_sizes(stored.file_id)
        else:
            media = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.content),
            }
            if field_name in ("document", "audio", "video", "animation"):
                media["file_name"] = stored.file_name or f"file_{stored.file_id[-4:]}"
            if stored.mime_type:
                media["mime_type"] = stored.mime_type
            if field_name in ("voice", "audio", "video", "animation"):
                media["duration"] = int(params.get("duration") or 1)
            if field_name == "sticker":
                media.update(width=512, height=512, type="regular", is_animated=False, is_video=False)
        extra: JSONDict = {field_name: media}
        if caption:
            extra["caption"] = caption
        return self._new_bot_message(params, extra, markup)

    def _m_sendPhoto(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendPhoto")

    def _m_sendDocument(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendDocument")

    def _m_sendVoice(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendVoice")

    def _m_sendAudio(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendAudio")

    def _m_sendVideo(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendVideo")

    def _m_sendAnimation(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendAnimation")

    def _m_sendSticker(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendSticker")

    def _m_sendLocation(self, params: JSONDict) -> JSONDict:
        _, markup = self._text_and_markup(params, "text")
        location = {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])}
        return self._new_bot_message(params, {"location": location}, markup)

    def _m_sendContact(self, params: JSONDict) -> JSONDict:
        _, markup = self._text_and_markup(params, "text")
        contact = {"phone_number": str(params["phone_number"]), "first_name": str(params["first_name"])}
        if params.get("last_name"):
            contact["last_name"] = str(params["last_name"])
        return self._new_bot_message(params, {"contact": contact}, markup)

    def _m_sendChatAction(self, params: JSONDict) -> bool:
        self._chat_id(params)
        if not params.get("action"):
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _editable(self, params: JSONDict) -> JSONDict | None:
        """The stored message an edit targets; None for inline messages."""
        if params.get("inline_message_id"):
            return None
        chat_id = self._chat_id(params)
        if params.get("message_id") in (None, ""):
            raise _ApiError(400, "Bad Request: message identifier is not specified")
        msg = self._messages.get((chat_id, int(params["message_id"])))
        if msg is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if msg.get("from", {}).get("id") != self.bot_id:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return msg

    def _apply_edit(
        self, msg: JSONDict | None, changes: JSONDict, markup: JSONDict | None, remove: tuple[str, ...] = ()
    ) -> JSONDict | bool:
        """Apply an edit like Telegram: a missing inline keyboard is removed; no-op edits are a 400."""
        if msg is None:
            return True
        new = copy.deepcopy(msg)
        new.update(changes)
        for key in remove:
            new.pop(key, None)
        if markup is not None and markup.get("inline_keyboard"):
            new["reply_markup"] = markup
        else:
            new.pop("reply_markup", None)
        new.pop("edit_date", None)
        if new == {k: v for k, v in msg.items() if k != "edit_date"}:
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message",
            )
        new["edit_date"] = int(time.time())
        msg.clear()
        msg.update(new)
        return copy.deepcopy(msg)

    def _m_editMessageText(self, params: JSONDict) -> JSONDict | bool:
        text, markup = self._text_and_markup(params, "text")
        if not text or not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        msg = self._editable(params)
        if msg is not None and "text" not in msg:
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        return self._apply_edit(msg, {"text": text}, markup)

    def _m_editMessageCaption(self, params: JSONDict) -> JSONDict | bool:
        caption, markup = self._text_and_markup(params, "caption")
        msg = self._editable(params)
        if msg is not None and "text" in msg:
            raise _ApiError(400, "Bad Request: there is no caption in the message to edit")
        if caption:
            return self._apply_edit(msg, {"caption": caption}, markup)
        return self._apply_edit(msg, {}, markup, remove=("caption",))

    def _m_editMessageReplyMarkup(self, params: JSONDict) -> JSONDict | bool:
        markup = params.get("reply_markup")
        if markup is not None:
            self._check_markup(markup)
        msg = self._editable(params)
        return self._apply_edit(msg, {}, markup)

    def _m_deleteMessage(self, params: JSONDict) -> bool:
        chat_id = self._chat_id(params)
        key = (chat_id, int(params["message_id"]))
        if key not in self._messages:
            raise _ApiError(400, "Bad Request: message to delete not found")
        del self._messages[key]
        return True

    def _m_answerCallbackQuery(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self.callback_queries or query_id in self.callback_answers:
            raise _ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if params.get("text") is not None and len(str(params["text"])) > 200:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = dict(params)
        return True

    def _m_getFile(self, params: JSONDict) -> JSONDict:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if stored.file_path is None:
            ext = ""
            if stored.file_name and "." in stored.file_name:
                ext = "." + stored.file_name.rsplit(".", 1)[-1]
            elif stored.mime_type:
                ext = {"image/jpeg": ".jpg", "audio/ogg": ".oga", "image/webp": ".webp"}.get(
                    stored.mime_type, ""
                )
            stored.file_path = f"{stored.kind}/file_{next(self._file_seq)}{ext}"
            self._paths[stored.file_path] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    @staticmethod
    def _scope_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _m_setMyCommands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        for cmd in commands:
            name = str(cmd.get("command", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise _ApiError(400, "Bad Request: command description is empty")
        self.commands[self._scope_key(params)] = [dict(c) for c in commands]
        return True

    def _m_deleteMyCommands(self, params: JSONDict) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def _m_getMyCommands(self, params: JSONDict) -> list[JSONDict]:
        return copy.deepcopy(self.commands.get(self._scope_key(params), []))

    def _m_setMyDescription(self, params: JSONDict) -> bool:
        self.descriptions[str(params.get("language_code") or "")] = str(params.get("description") or "")
        return True

    def _m_getMyDescription(self, params: JSONDict) -> JSONDict:
        lang = str(params.get("language_code") or "")
        return {"description": self.descriptions.get(lang, self.descriptions.get("", ""))}

    def _m_setMyShortDescription(self, params: JSONDict) -> bool:
        self.short_descriptions[str(params.get("language_code") or "")] = str(
            params.get("short_description") or ""
        )
        return True

    def _m_getMyShortDescription(self, params: JSONDict) -> JSONDict:
        lang = str(params.get("language_code") or "")
        return {"short_description": self.short_descriptions.get(lang, self.short_descriptions.get("", ""))}

    def _m_setMyName(self, params: JSONDict) -> bool:
        self.names[str(params.get("language_code") or "")] = str(params.get("name") or "")
        return True

    def _m_getMyName(self, params: JSONDict) -> JSONDict:
        lang = str(params.get("language_code") or "")
        return {"name": self.names.get(lang, self.names.get("", self.bot_first_name))}

    def _m_setChatMenuButton(self, params: JSONDict) -> bool:
        self.menu_buttons[params.get("chat_id")] = params.get("menu_button") or {"type": "default"}
        return True

    def _m_getChatMenuButton(self, params: JSONDict) -> JSONDict:
        chat_id = params.get("chat_id")
        return copy.deepcopy(
            self.menu_buttons.get(chat_id, self.menu_buttons.get(None, {"type": "commands"}))
        )

    def _m_getChat(self, params: JSONDict) -> JSONDict:
        gifts = {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
        }
        chat = self._chat(self._chat_id(params))
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}


def users(*names: str, start_id: int = 10_001) -> list[FakeUser]:
    """Convenience: ``alice, bob = users("Alice", "Bob")``."""
    return [FakeUser(start_id + i, name, username=name.lower()) for i, name in enumerate(names)]
