"""The process's HTTP side: liveness, readiness and metrics (and, in webhook mode, updates).

/healthz  the process is alive: 200 while its event loop answers.
/readyz   it can do its work: the database answers, its schema is at the migrations'
          head, and the Bot API answered within READY_API_AGE; 503 and the failing checks
          otherwise, so a load balancer stops sending it webhooks.
/metrics  Prometheus's text format (services/metrics.py).
"""

import asyncio
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from sandan.migrate import at_head
from services import metrics
from services.db import Database
from services.metrics import ApiContact

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 5.0  # seconds a readiness check may take


def _database_ready(db: Database) -> str | None:
    """None if the database answers and stands at head; else what is wrong."""
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        return None if at_head(conn) else "migrations"


async def readiness(db: Database, api: ApiContact) -> list[str]:
    """The checks that fail now (none: ready)."""
    failing = []
    try:
        problem = await asyncio.wait_for(asyncio.to_thread(_database_ready, db), CHECK_TIMEOUT)
        if problem:
            failing.append(problem)
    except Exception as exc:  # any failure means "not ready"; its class says enough
        log.warning("readiness: the database check failed (%s)", type(exc).__name__)
        failing.append("database")
    if not api.recent():
        failing.append("bot_api")
    return failing


def ops_app(db: Database, api: ApiContact) -> web.Application:
    """An aiohttp application with the three endpoints; the webhook adds its own route."""

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_request: web.Request) -> web.Response:
        failing = await readiness(db, api)
        if failing:
            return web.Response(status=503, text="not ready: " + ", ".join(failing) + "\n")
        return web.Response(text="ready\n")

    async def metrics_page(_request: web.Request) -> web.Response:
        body = await asyncio.to_thread(metrics.exposition)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    metrics.watch_database(db)
    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_page)
    return app


async def start_http(app: web.Application, *, host: str, port: int) -> web.AppRunner:
    """Serve `app` on host:port until the returned runner is cleaned up."""
    runner = web.AppRunner(app, access_log=None)  # the access log would carry webhook paths
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    log.info("HTTP endpoints on %s:%s", host, port)
    return runner
