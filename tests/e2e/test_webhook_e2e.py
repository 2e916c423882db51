"""`sandan run --webhook`: Telegram posts each update, and it is stored before the 200."""

import asyncio
import signal

import aiohttp

from models import InboxStatus
from sandan.fakebot import FakeBotApi, FakeUser
from sandan.fakebot.proxy import free_port
from sandan.fakebot.webhook import SECRET_HEADER
from tests.e2e.runtime_helpers import inbox_statuses, processed_ids, replies, reply_text, start_sandan
from tests.e2e.test_ops_e2e import get

USERS, EACH = 10, 5
SECRET = "s3cret-Token_1"


async def stop(proc) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    await asyncio.wait_for(proc.wait(), timeout=30)


async def test_in_webhook_mode_every_post_is_stored_once_in_order_and_a_later_polling_start_takes_over(
    db, tmp_path
):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/updates"
    users = [FakeUser(6000 + n, f"居民{n}", language_code="en") for n in range(USERS)]
    log = tmp_path / "sandan.log"
    settings = {"WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET, "HTTP_PORT": str(port)}
    async with FakeBotApi(token="424242:HOOK-TEST") as api, aiohttp.ClientSession() as http:
        hooked = await start_sandan(api, tmp_path, db.url, log, "--webhook", **settings)
        try:
            await api.wait_for_call("setWebhook", timeout=30)
            assert api.webhook_url == url and api.webhook_secret == SECRET
            injected = [
                api.send_command(u, "/help" if n % 2 else "/start") for n in range(EACH) for u in users
            ]
            await api.wait_for(lambda: all(len(replies(api, u)) >= EACH for u in users), timeout=30)
            # A post without the secret is refused, and changes nothing.
            async with http.post(url, json={"update_id": 999_999}) as forged:
                assert forged.status == 403
            async with http.post(url, data=b"not json", headers={SECRET_HEADER: SECRET}) as junk:
                assert junk.status == 400
            assert (await get(http, f"http://127.0.0.1:{port}/readyz"))[0] == 200
        finally:
            await stop(hooked)
        assert hooked.returncode == 0, log.read_text()[-3000:]
        assert not api.calls("getUpdates")  # no polling in webhook mode
        assert {status for _, status in api.webhook_answers} == {200}
        assert sorted(processed_ids(db)) == sorted(injected)
        assert inbox_statuses(db) == {InboxStatus.done: len(injected)}
        for u in users:  # each user's answers follow the order they wrote in: /start, /help, ...
            said = [reply_text(c) for c in replies(api, u)]
            assert len(said) == EACH and said[0] != said[1]
            assert said[0::2] == [said[0]] * len(said[0::2]) and said[1::2] == [said[1]] * len(said[1::2])
        # Started again without --webhook: the webhook is deleted and polling takes over.
        polling = await start_sandan(api, tmp_path, db.url, log)
        try:
            await api.wait_for_call("getUpdates", timeout=30)
            assert api.webhook_url == "" and api.calls("deleteWebhook")
            late = api.send_command(users[0], "/help")
            await api.wait_for(lambda: len(replies(api, users[0])) > EACH, timeout=20)
        finally:
            await stop(polling)
    assert late in processed_ids(db)
    assert SECRET not in log.read_text()
