"""A bare echo bot on Sandan's framework and transport, the baseline of bench/bot.py.

Its `telegram.Bot` is built exactly as bot/ptb/app.py's SandanBot builds its own (PTB, with
bot/ptb/aiohttp_request.py's AiohttpRequest for sends and a one-connection one for polling),
and it does nothing but answer each text with the same text: getUpdates, then a
sendMessage per update, the sends running while the next poll waits. Run in its own process:

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT uv run python bench/echo.py

It stops on SIGTERM or SIGINT.
"""

import asyncio
import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, and bench/bot.py would hide
# the `bot` package.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from telegram import Bot  # noqa: E402

from bot.ptb.aiohttp_request import AiohttpRequest  # noqa: E402

POLL_TIMEOUT = 10  # as bot/ptb/polling.py asks


async def echo(token: str, api_root: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    bot = Bot(
        token,
        base_url=f"{api_root}/bot",
        base_file_url=f"{api_root}/file/bot",
        request=AiohttpRequest(),
        get_updates_request=AiohttpRequest(connections=1),
    )
    await bot.initialize()
    sending: set[asyncio.Task] = set()
    offset = None
    try:
        while not stop.is_set():
            updates = await bot.get_updates(offset=offset, timeout=POLL_TIMEOUT, allowed_updates=["message"])
            for update in updates:
                if update.message and update.message.text:
                    task = asyncio.create_task(bot.send_message(update.message.chat_id, update.message.text))
                    sending.add(task)
                    task.add_done_callback(sending.discard)
            if updates:
                offset = updates[-1].update_id + 1
        if sending:
            await asyncio.wait(sending, timeout=5)
    finally:
        await bot.shutdown()


if __name__ == "__main__":
    asyncio.run(echo(os.environ["TELEGRAM_BOT_TOKEN"], os.environ["TELEGRAM_API_BASE_URL"].rstrip("/")))
