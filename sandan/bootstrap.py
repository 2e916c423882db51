"""Wires settings, database and catalogue together, in one place."""

from dataclasses import dataclass

from sandan.migrate import upgrade
from sandan.settings import Settings, load_settings
from services.branches import add_admin
from services.catalogue import Catalogue, load_catalogue
from services.db import Database
from services.wishes import Limits


@dataclass
class App:
    settings: Settings
    db: Database
    catalogue: Catalogue
    limits: Limits


def bootstrap(settings: Settings | None = None) -> App:
    """Build the application's dependencies from settings."""
    settings = settings or load_settings()
    return App(
        settings=settings,
        db=Database(settings.database_url),
        catalogue=load_catalogue(settings.category_catalogue_path),
        limits=Limits(max_open_wishes=settings.max_open_wishes, max_photos=settings.max_wish_photos),
    )


async def prepare(app: App) -> None:
    """Apply migrations and make the configured admins admins."""
    await upgrade(app.db)
    async with app.db.write() as s:
        for telegram_id in app.settings.admin_telegram_ids:
            await add_admin(s, telegram_id=telegram_id)


def flow_deps(app: App):
    """What the conversation flows need, for whichever adapter runs them."""
    from bot.flows.callbacks import CallbackCodec
    from bot.flows.context import Deps

    codec = CallbackCodec(app.settings.callback_key())
    return Deps(app.db, app.catalogue, app.limits, app.settings.tz, codec)
