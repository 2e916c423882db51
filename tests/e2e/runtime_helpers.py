"""What the runtime tests read back: the inbox's rows, and when the bot's replies reached Telegram."""

import asyncio
import os
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from bot.i18n import pick_language, t
from models import InboxStatus, InboxUpdate, ProcessedUpdate
from sandan.fakebot import FakeBotApi, FakeUser
from sandan.fakebot.types import Call

_T = InboxUpdate.__table__.c


def inbox_statuses(db, user_key: int | None = None) -> Counter:
    """How many of the inbox's updates (of one sender, or all) are in each status."""
    query = select(_T.status, func.count()).group_by(_T.status)
    if user_key is not None:
        query = query.where(_T.user_key == user_key)
    with db.read() as s:
        return Counter({InboxStatus(status): n for status, n in s.execute(query).all()})


def dropped_with_content(db, user_key: int) -> int:
    """Dropped updates of the sender whose content was kept anyway (it should not be)."""
    query = select(_T.raw).where(_T.user_key == user_key, _T.status == InboxStatus.dropped)
    with db.read() as s:  # an emptied JSON column may hold JSON's null: read it as Python does
        return sum(raw is not None for raw in s.scalars(query))


def processed_ids(db) -> list[int]:
    """The update ids the flow engine recorded as applied (services.updates)."""
    with db.read() as s:
        return list(s.scalars(select(ProcessedUpdate.update_id)))


def replies(api: FakeBotApi, user: FakeUser) -> list[Call]:
    """The messages the bot got through to the user, oldest first, with the time each arrived."""
    return [c for c in api.calls("sendMessage", user.id) if c.ok]


def text(user: FakeUser, key: str, **params) -> str:
    """A message as the user reads it in their app's language."""
    return t(pick_language(user.language_code), key, **params)


def reply_text(call: Call) -> str:
    return call.result["text"]


async def start_sandan(
    api: FakeBotApi,
    workdir: Path,
    database_url: str,
    log: Path,
    *args: str,
    lease: float = 30,
    **settings: str,
):
    """`sandan run [args]` in a child process against the fake Telegram; its output goes to `log`,
    so a full pipe never stalls it. `lease`: INBOX_LEASE_SECONDS; `settings`: more, by name."""
    env = {
        **settings,
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "INBOX_LEASE_SECONDS": str(lease),
    }
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "sandan.cli", "run", *args, env=env, cwd=workdir, stdout=out, stderr=out
        )
