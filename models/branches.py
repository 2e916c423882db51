"""Branches (支部) and the grids (网格) inside them."""

from datetime import datetime

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class Branch(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True, index=True)  # prefix of wish numbers
    name: str = Field(max_length=100)
    wish_seq: int = 0  # last wish number handed out in this branch
    auto_dispatch: bool = False  # offer accepted wishes to the best-ranked member without staff
    notice_chat_id: int | None = Field(default=None, sa_type=BigInteger)  # channel or group for 公示
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Grid(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("branch_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    name: str = Field(max_length=100)
    compounds: str = Field(default="", max_length=500)  # 小区 / 楼栋 range it covers
