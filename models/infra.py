"""Tables that make delivery and conversations reliable, not domain facts."""

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.enums import InboxStatus, OutboxStatus
from models.types import UTCDateTime, utcnow


class Outbox(SQLModel, table=True):
    """A notification written with the state change that caused it.

    It holds a message key and parameters, not text, so that the bot renders it
    in the recipient's language when it is sent.
    """

    __table_args__ = (
        Index("ix_outbox_due", "status", "not_before"),
        # Counting the alerts one resident or member caused in the last hour (the alert budget).
        Index("ix_outbox_caused_by", "caused_by", "created_at"),
        # A broadcast reaches each recipient once, even if queueing it is retried. Partial, so that
        # the other notifications, which are most rows, do not pay for the index.
        Index(
            "uq_outbox_broadcast_user",
            "broadcast_id",
            "user_id",
            unique=True,
            sqlite_where=text("broadcast_id IS NOT NULL"),
            postgresql_where=text("broadcast_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    key: str = Field(max_length=64)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    wish_id: int | None = Field(default=None, foreign_key="wish.id", index=True)
    status: OutboxStatus = Field(default=OutboxStatus.pending, sa_type=String(16))
    attempts: int = 0
    not_before: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    last_error: str | None = Field(default=None, max_length=500)
    # Held during quiet hours: everything to residents and members, and scheduler reminders.
    quiet: bool = False
    broadcast_id: int | None = Field(default=None, foreign_key="broadcast.id")
    # The resident or member whose action queued this row; None for staff actions and the scheduler.
    caused_by: int | None = None
    # Parts of a long message Telegram already has, so that a retry resumes after them.
    parts_sent: int = 0


class ProcessedUpdate(SQLModel, table=True):
    """A Telegram update already applied; Telegram delivers at least once."""

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    processed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class InboxUpdate(SQLModel, table=True):
    """A Telegram update, stored before Telegram is told it arrived (the durable inbox).

    Workers take the oldest open update of each sender in turn (services.inbox).
    """

    __tablename__ = "inbox"
    __table_args__ = (
        # Open updates only (a week of handled ones stays): what the workers search, in arrival
        # order, and per sender for the sender's oldest.
        Index(
            "ix_inbox_open",
            "update_id",
            sqlite_where=text("status IN ('pending', 'working')"),
            postgresql_where=text("status IN ('pending', 'working')"),
        ),
        Index(
            "ix_inbox_open_sender",
            "user_key",
            "update_id",
            sqlite_where=text("status IN ('pending', 'working')"),
            postgresql_where=text("status IN ('pending', 'working')"),
        ),
        Index("ix_inbox_received", "received_at"),
    )

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    # The sender's Telegram id, 0 for an update without one: a sender's updates run in order.
    user_key: int = Field(sa_column=Column(BigInteger, nullable=False))
    # The update as Telegram sent it; emptied once handled, since it holds what people wrote.
    raw: dict | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    status: InboxStatus = Field(default=InboxStatus.pending, sa_type=String(16))
    received_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    claimed_by: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    attempts: int = 0
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class SentReminder(SQLModel, table=True):
    """One reminder sent by the scheduler, so that it is never sent twice."""

    __table_args__ = (UniqueConstraint("wish_id", "kind", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    wish_id: int = Field(foreign_key="wish.id")
    kind: str = Field(max_length=32)
    seq: int = 1
    sent_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class BranchDigest(SQLModel, table=True):
    """The daily digest sent to one branch's staff for one local day."""

    __table_args__ = (UniqueConstraint("branch_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id")
    day: date
    sent_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class ConversationState(SQLModel, table=True):
    """Which step of which form a user is on, kept across restarts."""

    telegram_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    flow: str = Field(max_length=32)
    step: str = Field(max_length=32)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
