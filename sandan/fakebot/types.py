"""The data a test sees: fake users, recorded calls and uploaded files; and the Bot API error."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]


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
        return f"Call({self.method}, status={self.status}, params={short(self.params)})"


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code", "description", ...}``."""

    def __init__(self, status: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def short(value: Any, limit: int = 300) -> str:
    """``repr(value)``, cut to ``limit`` characters (for reprs and dumps)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def users(*names: str, start_id: int = 10_001) -> list[FakeUser]:
    """Convenience: ``alice, bob = users("Alice", "Bob")``."""
    return [FakeUser(start_id + i, name, username=name.lower()) for i, name in enumerate(names)]
