"""scheduler, follow-ups, broadcasts and notice channels

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "branchdigest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("branch_id", "day"),
    )
    op.create_table(
        "broadcast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_broadcast_branch_id"), ["branch_id"], unique=False)

    op.create_table(
        "followup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wish_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("done_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
        ),
        sa.ForeignKeyConstraint(
            ["done_by"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["wish_id"],
            ["wish.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.create_index("ix_followup_branch_done", ["branch_id", "done_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_followup_wish_id"), ["wish_id"], unique=False)

    # Every other table refers to branch: SQLite adds the columns in place rather than recreating
    # the table, which fails on a populated database with foreign keys on (see downgrade).
    with op.batch_alter_table("branch", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("auto_dispatch", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("notice_chat_id", sa.BigInteger(), nullable=True))

    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.create_index("ix_offer_status_created", ["status", "created_at"], unique=False)

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quiet", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("broadcast_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "uq_outbox_broadcast_user",
            ["broadcast_id", "user_id"],
            unique=True,
            sqlite_where=sa.text("broadcast_id IS NOT NULL"),
            postgresql_where=sa.text("broadcast_id IS NOT NULL"),
        )
        batch_op.create_foreign_key("fk_outbox_broadcast_id", "broadcast", ["broadcast_id"], ["id"])

    with op.batch_alter_table("wish", schema=None) as batch_op:
        for name, column, where in (
            ("ix_wish_untriaged", "submitted_at", "status = 'submitted'"),
            ("ix_wish_in_hand", "assigned_at", "status IN ('assigned', 'in_progress')"),
            ("ix_wish_unrated", "completed_at", "status = 'completed'"),
        ):
            condition = sa.text(where)
            batch_op.create_index(name, [column], sqlite_where=condition, postgresql_where=condition)
        batch_op.create_index("ix_wish_submitted_at", ["submitted_at"], unique=False)
        batch_op.create_index("ix_wish_completed_at", ["completed_at"], unique=False)

    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.create_index("ix_rating_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index("ix_rating_created_at")

    with op.batch_alter_table("wish", schema=None) as batch_op:
        batch_op.drop_index("ix_wish_completed_at")
        batch_op.drop_index("ix_wish_submitted_at")
        batch_op.drop_index("ix_wish_unrated")
        batch_op.drop_index("ix_wish_in_hand")
        batch_op.drop_index("ix_wish_untriaged")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outbox_broadcast_id", type_="foreignkey")
        batch_op.drop_index("uq_outbox_broadcast_user")
        batch_op.drop_column("broadcast_id")
        batch_op.drop_column("quiet")

    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_index("ix_offer_status_created")

    # Every other table refers to branch, so it is altered in place, not recreated: see 0003.
    with op.batch_alter_table("branch", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("notice_chat_id")
        batch_op.drop_column("auto_dispatch")

    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_followup_wish_id"))
        batch_op.drop_index("ix_followup_branch_done")

    op.drop_table("followup")
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_broadcast_branch_id"))

    op.drop_table("broadcast")
    op.drop_table("branchdigest")
