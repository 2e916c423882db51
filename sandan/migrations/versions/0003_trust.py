"""trust: alert budget, resumable long messages, suspension notes, forgotten users

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("caused_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("parts_sent", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index("ix_outbox_caused_by", ["caused_by", "created_at"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("parts_sent", server_default=None)

    with op.batch_alter_table("memberprofile", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("forgotten_at", models.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    # Other tables refer to user: a batch "move and copy" would DROP it, and with SQLite's foreign
    # keys on, dropping a referenced table fails on a populated database (or, deferred, at commit).
    # SQLite (3.35+) drops a plain column in place, so no copy is made; PostgreSQL always does.
    with op.batch_alter_table("user", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("forgotten_at")

    with op.batch_alter_table("memberprofile", schema=None) as batch_op:
        batch_op.drop_column("status_note")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_caused_by")
        batch_op.drop_column("parts_sent")
        batch_op.drop_column("caused_by")
