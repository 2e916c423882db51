"""`sandan run`: migrations, then the bot, the outbox sender and the scheduler until a signal arrives."""

import asyncio
import logging
import signal

from bot.ptb.app import SandanBot
from sandan.bootstrap import App, flow_deps, prepare
from sandan.logs import setup_logging
from sandan.scheduler import build_scheduler

log = logging.getLogger(__name__)


async def serve(app: App, stop: asyncio.Event | None = None) -> None:
    token = app.settings.telegram_bot_token.get_secret_value()
    setup_logging(app.settings.log_level, token)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await prepare(app)
    bot = SandanBot(
        flow_deps(app), token=token, api_root=app.settings.telegram_api_base_url, quiet_hours=app.sweeps.quiet
    )
    scheduler = build_scheduler(app)
    scheduler.start()
    log.info("Sandan is running against %s", app.settings.telegram_api_base_url)
    try:
        await bot.run(stop)
    finally:
        scheduler.shutdown(wait=False)
        await app.db.dispose()
