"""Wishes (微心愿), their audit timeline, offers and ratings."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, ColumnElement, Index, String, UniqueConstraint, literal_column, text
from sqlmodel import Field, SQLModel

from models.enums import OfferKind, OfferStatus, Priority, TimeWindow, WishStatus
from models.types import UTCDateTime, utcnow


def in_status(*statuses: WishStatus) -> ColumnElement[bool]:
    """`Wish.status` among `statuses`, written with literals so that the partial indexes apply.

    A database uses a partial index only if the query's condition matches the index's own,
    and a bound parameter cannot be matched.
    """
    values = [literal_column(f"'{status.value}'") for status in statuses]
    return Wish.status == values[0] if len(values) == 1 else Wish.status.in_(values)


def _where(*statuses: WishStatus) -> dict:
    listed = ", ".join(f"'{status.value}'" for status in statuses)
    condition = text(f"status = {listed}" if len(statuses) == 1 else f"status IN ({listed})")
    return {"sqlite_where": condition, "postgresql_where": condition}


def _ts(index: bool = False):
    return Field(default=None, sa_column=Column(UTCDateTime, index=index))


class Wish(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("branch_id", "number"),
        Index("ix_wish_number", "number"),  # /dispatch A-0042: the number alone, not its branch
        Index("ix_wish_branch_status", "branch_id", "status"),
        Index("ix_wish_member_status", "assigned_member_id", "status"),
        Index("ix_wish_resident_status", "resident_id", "status"),
        Index("ix_wish_branch_submitted", "branch_id", "submitted_at"),
        Index("ix_wish_branch_assigned", "branch_id", "assigned_at"),
        # The scheduler's sweeps look across branches for what has waited too long. Partial indexes:
        # only wishes in that status are in them, so the many status changes elsewhere skip them.
        Index("ix_wish_untriaged", "submitted_at", **_where(WishStatus.submitted)),
        Index("ix_wish_in_hand", "assigned_at", **_where(WishStatus.assigned, WishStatus.in_progress)),
        Index("ix_wish_unrated", "completed_at", **_where(WishStatus.completed)),
        # Counting a period's new and finished wishes across branches (digest, reports).
        Index("ix_wish_submitted_at", "submitted_at"),
        Index("ix_wish_completed_at", "completed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=24)  # human number per branch, e.g. A-0042
    branch_id: int = Field(foreign_key="branch.id")
    grid_id: int | None = Field(default=None, foreign_key="grid.id")
    resident_id: int = Field(foreign_key="user.id")  # the user who posted it
    category: str = Field(max_length=32)
    text: str = Field(max_length=1000)
    photo_file_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    voice_file_id: str | None = Field(default=None, max_length=200)
    time_window: TimeWindow = Field(default=TimeWindow.asap, sa_type=String(16))
    preferred_date: date | None = None
    priority: Priority = Field(default=Priority.normal, sa_type=String(16))
    status: WishStatus = Field(default=WishStatus.submitted, sa_type=String(16))
    assigned_member_id: int | None = Field(default=None, foreign_key="user.id")
    rejection_reason: str | None = Field(default=None, max_length=32)
    rejection_note: str | None = Field(default=None, max_length=500)
    completion_note: str | None = Field(default=None, max_length=1000)
    completion_photo_file_id: str | None = Field(default=None, max_length=200)
    hours_spent: float | None = None
    submitted_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    triaged_at: datetime | None = _ts()
    assigned_at: datetime | None = _ts()
    completed_at: datetime | None = _ts()
    closed_at: datetime | None = _ts()


class WishEvent(SQLModel, table=True):
    """One line of a wish's audit timeline: who moved it, from where to where."""

    id: int | None = Field(default=None, primary_key=True)
    wish_id: int = Field(foreign_key="wish.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id")  # None: the system
    from_status: WishStatus | None = Field(default=None, sa_type=String(16))
    to_status: WishStatus = Field(sa_type=String(16))
    note: str | None = Field(default=None, max_length=1000)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Offer(SQLModel, table=True):
    """One offer to one member (下单), or one posting on the wall (心愿墙)."""

    __table_args__ = (
        Index("ix_offer_wish_status", "wish_id", "status"),
        Index("ix_offer_member_status", "member_id", "status"),
        Index("ix_offer_status_created", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    wish_id: int = Field(foreign_key="wish.id")
    kind: OfferKind = Field(sa_type=String(8))
    member_id: int | None = Field(default=None, foreign_key="user.id")  # wall: the claimant
    offered_by: int | None = Field(default=None, foreign_key="user.id")
    status: OfferStatus = Field(default=OfferStatus.open, sa_type=String(16))
    decline_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    answered_at: datetime | None = _ts()


class Rating(SQLModel, table=True):
    __table_args__ = (Index("ix_rating_created_at", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    wish_id: int = Field(foreign_key="wish.id", unique=True)
    member_id: int = Field(foreign_key="user.id", index=True)
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
