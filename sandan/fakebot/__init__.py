"""A fake Telegram Bot API server for end-to-end tests; see README.md."""

from sandan.fakebot.server import FakeBotApi
from sandan.fakebot.types import Call, FakeUser, UploadedFile, users

__all__ = ["Call", "FakeBotApi", "FakeUser", "UploadedFile", "users"]
