"""Announcements staff send to a branch's members, residents or both."""

from datetime import datetime

from sqlalchemy import Column, String
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
