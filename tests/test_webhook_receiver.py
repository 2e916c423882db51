"""The webhook's handler: a post is stored before its 200, and refused once the process stops."""

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from telegram import Bot

from bot.ptb.webhook import SECRET_HEADER, Webhook, receiver
from services.pool import WorkPool
from tests.e2e.runtime_helpers import inbox_statuses

HOOK = Webhook("https://bot.example.org/telegram/updates", "the-secret")
UPDATE = {"update_id": 41, "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"},
          "from": {"id": 5, "is_bot": False, "first_name": "王"}, "text": "/start"}}  # fmt: skip


async def post(db, *, stopping: bool, secret: str = HOOK.secret) -> int:
    pool, woken = WorkPool(1, name="test-webhook"), []

    async def slow_down(_arrival) -> None:
        raise AssertionError("no backlog here")

    handler = receiver(
        Bot("424242:X"), db, pool, HOOK, stored=woken.append, slow_down=slow_down, stopping=lambda: stopping
    )
    app = web.Application()
    app.router.add_post(HOOK.path, handler)
    try:
        async with TestClient(TestServer(app)) as client:
            answer = await client.post(HOOK.path, json=UPDATE, headers={SECRET_HEADER: secret})
            return answer.status
    finally:
        pool.shutdown()


async def test_a_post_with_the_secret_is_stored_before_its_200(db):
    assert await post(db, stopping=False) == 200
    assert sum(inbox_statuses(db).values()) == 1


async def test_a_post_without_the_secret_or_after_the_stop_is_refused_and_stores_nothing(db):
    assert await post(db, stopping=False, secret="guess") == 403
    assert await post(db, stopping=True) == 503  # Telegram sends it again, elsewhere or later
    assert sum(inbox_statuses(db).values()) == 0
