"""Telegram's limit for one group: about 20 messages a minute, for all processes together."""

from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from models import GroupPost
from models.types import utcnow

PER_MINUTE = 20
WINDOW = timedelta(minutes=1)
KEEP = timedelta(days=1)
_T = GroupPost.__table__


def reserve(s: Session, *, chat_id: int, now: datetime | None = None) -> bool:
    """Take one of the chat's posts for this minute; False if the minute's are all taken."""
    now = now or utcnow()
    if s.bind.dialect.name == "postgresql":  # two processes must not both take the twentieth
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": chat_id})
    taken = s.scalar(select(func.count()).where(_T.c.chat_id == chat_id, _T.c.posted_at > now - WINDOW))
    if taken >= PER_MINUTE:
        return False
    s.execute(insert(_T).values(chat_id=chat_id, posted_at=now))
    return True


def forget_old(s: Session, *, now: datetime) -> int:
    """Drop the records older than a day (the daily clean-up)."""
    return s.execute(delete(_T).where(_T.c.posted_at < now - KEEP)).rowcount
