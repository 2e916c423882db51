"""`sandan run`: migrations, then the bot, the outbox sender and the scheduler until a signal arrives."""

import asyncio
import logging
import signal
from datetime import timedelta

from telegram.error import InvalidToken

from bot.i18n import DEFAULT, t
from bot.ptb.app import SandanBot
from bot.ptb.webhook import Webhook
from sandan.bootstrap import App, flow_deps, prepare
from sandan.logs import setup_logging
from sandan.scheduler import build_scheduler
from sandan.web import ops_app, start_http

log = logging.getLogger(__name__)

TOKEN_REJECTED = 3  # exit status when Telegram rejects the token: restarting will not help
JOBS_GRACE = 10.0  # seconds a sweep already running may take to finish at shutdown


def webhook_of(settings) -> Webhook | list[str]:
    """The webhook the settings describe, or the names of the settings it lacks."""
    missing = [
        name
        for name, value in (
            ("WEBHOOK_URL", settings.webhook_url),
            ("WEBHOOK_SECRET", settings.webhook_secret),
            ("HTTP_PORT", settings.http_port),
        )
        if not value
    ]
    return missing or Webhook(settings.webhook_url, settings.webhook_secret.get_secret_value())


async def serve(app: App, stop: asyncio.Event | None = None, *, webhook: Webhook | None = None) -> None:
    """Run until a signal; a crash is logged (token scrubbed) rather than printed raw."""
    token = app.settings.telegram_bot_token.get_secret_value()
    setup_logging(app.settings.log_level, token, webhook and webhook.secret)
    try:
        await _serve(app, stop, webhook)
    except InvalidToken:  # PTB's message quotes the token: say what to do instead
        log.error("%s", t(DEFAULT, "run.token_rejected"))
        raise SystemExit(TOKEN_REJECTED) from None
    except Exception:  # printed by the CLI, the traceback would bypass the log's scrubbing
        log.exception("Sandan stopped on an error")
        raise SystemExit(1) from None


async def _serve(app: App, stop: asyncio.Event | None, webhook: Webhook | None) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await asyncio.to_thread(prepare, app)
    bot = SandanBot(
        flow_deps(app),
        token=app.settings.telegram_bot_token.get_secret_value(),
        api_root=app.settings.telegram_api_base_url,
        quiet_hours=app.sweeps.quiet,
        lease=timedelta(seconds=app.settings.inbox_lease_seconds),
        outbox_lease=timedelta(seconds=app.settings.outbox_lease_seconds),
    )
    http = None
    if app.settings.http_port:  # first: a port already taken stops the start, before any work
        endpoints = ops_app(app.db, bot.api_contact)
        if webhook is not None:
            endpoints.router.add_post(webhook.path, bot.webhook_receiver(webhook))
        http = await start_http(endpoints, host=app.settings.http_host, port=app.settings.http_port)
    scheduler = build_scheduler(app)
    scheduler.start(paused=True)  # it runs while this process leads

    async def scheduling(ended: asyncio.Event) -> None:
        scheduler.resume()
        try:
            await ended.wait()
        finally:
            scheduler.pause()

    log.info("Sandan is running against %s", app.settings.telegram_api_base_url)
    try:
        await bot.run(stop, webhook, while_leading=scheduling)
    finally:
        if http is not None:
            await http.cleanup()
        # A sweep that is running still needs the database: let it finish rather than have the
        # scheduler's shutdown cancel it halfway (it would roll back, but with a traceback).
        scheduler.pause()
        running = asyncio.all_tasks() - {asyncio.current_task()}
        if running:
            await asyncio.wait(running, timeout=JOBS_GRACE)
        scheduler.shutdown(wait=False)
        app.db.dispose()
