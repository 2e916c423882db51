"""Announcements staff send to a branch's members, residents or both."""

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, String
from sqlmodel import Field, SQLModel

from models.enums import Audience
from models.types import UTCDateTime, utcnow


class Broadcast(SQLModel, table=True):
    """One announcement; its deliveries are outbox rows that carry its id."""

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int | None = Field(default=None, foreign_key="branch.id", index=True)  # None: every branch
    created_by: int = Field(foreign_key="user.id")
    audience: Audience = Field(sa_type=String(16))
    text: str = Field(max_length=4000)
    recipients: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class GroupPost(SQLModel, table=True):
    """A message the bot posted to a group or channel (a branch's notices), kept a day.

    Telegram allows a bot about 20 messages a minute in one group; every process counts
    against the same rows, so the limit holds however many run (services/group_posts.py).
    """

    __tablename__ = "group_post"
    __table_args__ = (Index("ix_group_post_chat_at", "chat_id", "posted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    posted_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
