"""group posts: what the bot posted to each group or channel in the last day

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("posted_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_group_post_chat_at", "group_post", ["chat_id", "posted_at"])


def downgrade() -> None:
    op.drop_index("ix_group_post_chat_at", table_name="group_post")
    op.drop_table("group_post")
