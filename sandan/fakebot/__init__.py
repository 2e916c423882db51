"""A fake Telegram Bot API server for end-to-end tests; see README.md."""

from sandan.fakebot.server import Call, FakeBotApi, FakeUser, UploadedFile, users

__all__ = ["Call", "FakeBotApi", "FakeUser", "UploadedFile", "users"]
