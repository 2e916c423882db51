"""The application's one APScheduler, which runs the follow-up sweep (services.sweeps).

It belongs to the application, not to a bot framework, so every adapter gets it.
"""

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from models.types import utcnow
from sandan.bootstrap import App
from services import group_posts, inbox, metrics
from services.pool import WorkPool
from services.retention import purge
from services.sweeps.sweep import run_sweep
from services.updates import forget_old

log = logging.getLogger(__name__)

# A sweep missed by a sleeping machine or a restart runs once, late, however late: each rule
# looks at what is due now, so one late sweep catches up on everything.
MISFIRE_GRACE = int(timedelta(days=1).total_seconds())


def build_scheduler(app: App) -> AsyncIOScheduler:
    """A scheduler with the sweep every SWEEP_INTERVAL_SECONDS, the first one at start, and a
    daily clear-out of the update records Telegram can no longer redeliver, of old
    notifications and of unfinished forms (services.retention)."""

    # The jobs are coroutines that hand the work to threads of their own: a sweep takes
    # half a second at district scale, which must neither hold up the event loop nor wait
    # behind the bot's update workers.
    pool = WorkPool(2, name="sandan-scheduler")

    def sweep_now() -> None:
        with metrics.SWEEP_SECONDS.time():
            report = run_sweep(app.db, policy=app.sweeps, catalogue=app.catalogue, now=utcnow())
        if report.reminders or report.expired or report.closed or report.digests or report.failed:
            log.info("sweep: %s", report)

    async def sweep() -> None:
        await pool.run(sweep_now)

    scheduler = AsyncIOScheduler(timezone=app.settings.tz)
    scheduler.add_job(
        sweep,
        "interval",
        seconds=app.settings.sweep_interval_seconds,
        id="sweep",
        next_run_time=utcnow(),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=MISFIRE_GRACE,
    )

    def forget_now() -> None:
        # Daily, not with every sweep: processed_at has no index, so this reads the whole table.
        with app.db.write() as s:
            forget_old(s)
            group_posts.forget_old(s, now=utcnow())
        inbox.forget_old(app.db)
        # In batches of their own transactions, after the update records: see services.retention.
        purged = purge(app.db, policy=app.retention, now=utcnow())
        if purged.notifications or purged.broadcast_copies or purged.forms:
            log.info("retention: %s", purged)

    async def forget_updates() -> None:
        await pool.run(forget_now)

    scheduler.add_job(forget_updates, "interval", days=1, id="forget_updates", coalesce=True, max_instances=1)
    return scheduler
