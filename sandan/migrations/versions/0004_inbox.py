"""inbox: every update is stored before Telegram is told it arrived

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_OPEN = sa.text("status IN ('pending', 'working')")


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_key", sa.BigInteger(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("lease_until", models.types.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done_at", models.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index("ix_inbox_open", "inbox", ["update_id"], sqlite_where=_OPEN, postgresql_where=_OPEN)
    op.create_index(
        "ix_inbox_open_sender",
        "inbox",
        ["user_key", "update_id"],
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )
    op.create_index("ix_inbox_received", "inbox", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_received", table_name="inbox")
    op.drop_index("ix_inbox_open_sender", table_name="inbox")
    op.drop_index("ix_inbox_open", table_name="inbox")
    op.drop_table("inbox")
