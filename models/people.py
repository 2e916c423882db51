"""Users and the profiles that give them roles."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.enums import MemberStatus
from models.types import UTCDateTime, utcnow


class User(SQLModel, table=True):
    # Every sweep looks up the admins; a partial index keeps that off the whole user table.
    __table_args__ = (
        Index("ix_user_admins", "id", sqlite_where=text("is_admin = 1"), postgresql_where=text("is_admin")),
    )

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int | None = Field(default=None, unique=True, index=True, sa_type=BigInteger)
    display_name: str = Field(default="", max_length=200)  # as Telegram shows it
    name: str = Field(default="", max_length=100)  # real name given at registration
    phone: str = Field(default="", max_length=32)  # E.164
    language: str = Field(default="zh", max_length=8)
    is_admin: bool = False
    unreachable: bool = False  # blocked the bot (403)
    forgotten_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))  # /forgetme
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Staff(SQLModel, table=True):
    """A user who triages and dispatches for one branch."""

    __table_args__ = (UniqueConstraint("user_id", "branch_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)


class ResidentProfile(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id")
    compound: str = Field(default="", max_length=100)  # 小区
    building: str = Field(default="", max_length=20)  # 楼栋
    unit: str = Field(default="", max_length=20)  # 单元
    room: str = Field(default="", max_length=20)  # 室


class MemberProfile(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id")
    work_unit: str = Field(default="", max_length=200)
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    availability: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: MemberStatus = Field(default=MemberStatus.pending, sa_type=String(16), index=True)
    hours_total: float = 0
    tasks_confirmed: int = 0
    rating_sum: int = 0
    rating_count: int = 0
    registered_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    status_note: str | None = Field(default=None, max_length=500)  # why staff suspended or rejected them
