"""The application's scheduler sweeps at start and on an interval; a restart sends nothing twice."""

import asyncio
from datetime import timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from sqlalchemy import func, select

from models import Outbox, ProcessedUpdate
from models.types import utcnow
from sandan.bootstrap import bootstrap
from sandan.scheduler import MISFIRE_GRACE, build_scheduler
from sandan.settings import load_settings
from tests.factories import build_world, submit
from tests.sweeps.helpers import clock, quiet_hours_away_from_now, settled


async def _one_sweep(app) -> None:
    """Start a scheduler, wait (at most 10 s) for its first sweep, and shut it down."""
    ran = asyncio.Event()
    errors = []
    scheduler = build_scheduler(app)
    scheduler.add_listener(
        lambda e: (errors.append(e.exception) if e.exception else None, ran.set()),
        EVENT_JOB_EXECUTED | EVENT_JOB_ERROR,
    )
    scheduler.start()
    try:
        await asyncio.wait_for(ran.wait(), timeout=10)
    finally:
        scheduler.shutdown(wait=False)
    assert errors == []


async def test_the_scheduler_sweeps_at_start_coalesces_and_a_restart_sends_nothing_twice(db, catalogue):
    with clock(utcnow() - timedelta(hours=3)):
        w = build_world(db, catalogue)
        submit(w)
    settled(db)
    # Real time drives this test, so quiet hours are put where they cannot hold the reminder back.
    quiet = quiet_hours_away_from_now()
    settings = load_settings(database_url=db.url, sweep_interval_seconds=3600, quiet_hours=quiet)
    first = bootstrap(settings)
    job = build_scheduler(first).get_job("sweep")
    assert (job.trigger.interval, job.coalesce, job.max_instances) == (timedelta(hours=1), True, 1)
    assert job.misfire_grace_time == MISFIRE_GRACE
    try:
        await _one_sweep(first)
    finally:
        first.db.dispose()
    again = bootstrap(settings)  # a restart: a new scheduler, the same database
    try:
        await _one_sweep(again)
    finally:
        again.db.dispose()
    with db.read() as s:
        reminders = s.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.key == "staff.remind_triage")
        )
    assert reminders == 1


async def test_the_daily_job_forgets_updates_telegram_can_no_longer_redeliver(db):
    with db.write() as s:
        s.add_all(
            [
                ProcessedUpdate(update_id=1, processed_at=utcnow() - timedelta(days=8)),
                ProcessedUpdate(update_id=2, processed_at=utcnow() - timedelta(hours=25)),
            ]
        )
    app = bootstrap(load_settings(database_url=db.url))
    try:
        job = build_scheduler(app).get_job("forget_updates")
        assert job.trigger.interval == timedelta(days=1)
        await job.func()
    finally:
        app.db.dispose()
    with db.read() as s:
        assert s.scalars(select(ProcessedUpdate.update_id)).all() == [2]


async def test_the_daily_job_also_purges_old_notifications_and_forms_by_the_configured_days(db):
    from models import ConversationState, OutboxStatus, User

    with db.write() as s:
        user = User(telegram_id=77)
        s.add(user)
        s.flush()
        for age in (11, 9):
            at = utcnow() - timedelta(days=age)
            s.add(
                Outbox(
                    user_id=user.id,
                    key="resident.accepted",
                    status=OutboxStatus.sent,
                    not_before=at,
                    created_at=at,
                )
            )
            s.add(
                ConversationState(
                    telegram_id=age, flow="wish", step="text", data={"text": "x"}, updated_at=at
                )
            )
    settings = load_settings(database_url=db.url, outbox_retention_days=10, form_retention_days=10)
    app = bootstrap(settings)
    try:
        await build_scheduler(app).get_job("forget_updates").func()
    finally:
        app.db.dispose()
    with db.read() as s:
        assert len(s.scalars(select(Outbox.id)).all()) == 1
        assert s.scalars(select(ConversationState.telegram_id)).all() == [9]
