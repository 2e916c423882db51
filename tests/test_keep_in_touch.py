"""In webhook mode the bot asks the Bot API now and then, so /readyz knows it still answers."""

import asyncio

from telegram import Bot

from bot.ptb.connect import keep_in_touch
from sandan.fakebot import FakeBotApi
from services.metrics import ApiContact


async def test_a_quiet_webhook_bot_still_hears_from_the_bot_api_and_notices_when_it_stops():
    async with FakeBotApi(token="424242:PING") as api:
        bot, contact, stop = Bot(api.token, base_url=f"{api.base_url}/bot"), ApiContact(), asyncio.Event()
        async with bot:
            pinging = asyncio.create_task(keep_in_touch(bot, stop, contact.answered, every=0.05))
            await api.wait_for(lambda: len(api.calls("getMe")) >= 3, timeout=5)
            assert contact.recent(within=1.0)
            api.fail_next("getMe", status=500, count=None)  # the Bot API stops answering
            await api.wait_for(lambda: any(not c.ok for c in api.calls("getMe")), timeout=5)
            heard, failed = contact.at, len(api.calls("getMe"))
            await api.wait_for(lambda: len(api.calls("getMe")) >= failed + 3, timeout=5)
            assert contact.at == heard  # failures are no contact
            stop.set()
            await asyncio.wait_for(pinging, 5)
