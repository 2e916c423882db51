"""Wires settings, database and catalogue together, in one place."""

from dataclasses import dataclass
from datetime import timedelta

from sandan.migrate import upgrade
from sandan.settings import Settings, load_settings
from services import alert_budget
from services.branches import add_admin
from services.catalogue import Catalogue, load_catalogue
from services.db import Database
from services.retention import RetentionPolicy
from services.sweeps.policy import QuietHours, SweepPolicy
from services.wishes import Limits


@dataclass
class App:
    settings: Settings
    db: Database
    catalogue: Catalogue
    limits: Limits
    sweeps: SweepPolicy  # the scheduler's thresholds, which also define "overdue"
    retention: RetentionPolicy  # how long delivered notifications and unfinished forms are kept


def bootstrap(settings: Settings | None = None) -> App:
    """Build the application's dependencies from settings."""
    settings = settings or load_settings()
    alert_budget.limit_alerts(settings.staff_alerts_per_hour)
    return App(
        settings=settings,
        db=Database(settings.database_url),
        catalogue=load_catalogue(settings.category_catalogue_path),
        limits=Limits(
            max_open_wishes=settings.max_open_wishes,
            max_photos=settings.max_wish_photos,
            max_wishes_per_hour=settings.max_wishes_per_hour,
        ),
        sweeps=sweep_policy(settings),
        retention=RetentionPolicy.from_days(
            outbox_days=settings.outbox_retention_days, form_days=settings.form_retention_days
        ),
    )


def prepare(app: App) -> None:
    """Apply migrations and make the configured admins admins."""
    upgrade(app.db)
    with app.db.write() as s:
        for telegram_id in app.settings.admin_telegram_ids:
            add_admin(s, telegram_id=telegram_id)


def sweep_policy(settings: Settings) -> SweepPolicy:
    """The scheduler's thresholds, from settings."""
    start, end = settings.parse_window(settings.quiet_hours)
    return SweepPolicy(
        tz=settings.tz,
        quiet=QuietHours(settings.tz, start, end),
        triage_reminders=tuple(timedelta(hours=h) for h in settings.triage_remind_hours),
        triage_escalation=timedelta(hours=settings.triage_escalate_hours),
        offer_expiry=timedelta(hours=settings.offer_expire_hours),
        wall_unclaimed=timedelta(hours=settings.wall_remind_hours),
        task_overdue=timedelta(hours=settings.task_overdue_hours),
        task_escalation=timedelta(hours=settings.task_escalate_hours),
        rating_reminders=tuple(timedelta(hours=h) for h in settings.rating_remind_hours),
        close_unrated=timedelta(days=settings.close_unrated_days),
        max_auto_offers=settings.auto_dispatch_max_offers,
        digest_at=settings.digest_time,
        escalate_in_quiet_hours=settings.quiet_hours_escalations,
    )


def flow_deps(app: App):
    """What the conversation flows need, for whichever adapter runs them."""
    from bot.flows.callbacks import CallbackCodec
    from bot.flows.context import Deps

    codec = CallbackCodec(app.settings.callback_key())
    return Deps(app.db, app.catalogue, app.limits, app.settings.tz, codec, app.sweeps, app.retention)
