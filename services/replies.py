"""Replies the bot could not send at once, handed to the outbox so they still arrive."""

from datetime import timedelta

from sqlalchemy import insert, select

from models import Outbox, User
from models.types import utcnow
from services.db import Database
from services.outbox import mark_queued

# The outbox key of a deferred reply; its params hold the rendered message, not a text key.
REPLY_KEY = "sandan.reply"


def defer_reply(
    db: Database, *, telegram_id: int, params: dict, parts_sent: int = 0, wait: float = 0.0
) -> bool:
    """Queue an already rendered reply for the outbox sender; False if the chat has no user."""
    now = utcnow()
    with db.write() as s:
        user_id = s.scalar(select(User.id).where(User.telegram_id == telegram_id))
        if user_id is None:
            return False
        s.execute(
            insert(Outbox).values(
                user_id=user_id,
                key=REPLY_KEY,
                params=params,
                parts_sent=parts_sent,
                quiet=False,  # the person is waiting for it: an answer, not a notification
                not_before=now + timedelta(seconds=wait),
                created_at=now,
            )
        )
        mark_queued(s)
    return True
