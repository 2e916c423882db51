"""Follow-up visits (回访): staff contact a resident after a low rating or a dispute."""

from datetime import datetime

from sqlalchemy import Column, Index, String
from sqlmodel import Field, SQLModel

from models.enums import FollowUpReason
from models.types import UTCDateTime, utcnow


class FollowUp(SQLModel, table=True):
    __table_args__ = (Index("ix_followup_branch_done", "branch_id", "done_at"),)

    id: int | None = Field(default=None, primary_key=True)
    wish_id: int = Field(foreign_key="wish.id", index=True)
    branch_id: int = Field(foreign_key="branch.id")
    reason: FollowUpReason = Field(sa_type=String(16))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    done_by: int | None = Field(default=None, foreign_key="user.id")
    note: str | None = Field(default=None, max_length=1000)
