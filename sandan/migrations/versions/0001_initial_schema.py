"""initial schema

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "branch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("wish_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("branch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_branch_code"), ["code"], unique=True)

    op.create_table(
        "conversationstate",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("flow", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id"),
    )
    op.create_table(
        "processedupdate",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("processed_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("unreachable", sa.Boolean(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_telegram_id"), ["telegram_id"], unique=True)

    op.create_table(
        "grid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("compounds", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("branch_id", "name"),
    )
    with op.batch_alter_table("grid", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_branch_id"), ["branch_id"], unique=False)

    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "branch_id"),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_branch_id"), ["branch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_user_id"), ["user_id"], unique=False)

    op.create_table(
        "memberprofile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("work_unit", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("availability", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hours_total", sa.Float(), nullable=False),
        sa.Column("tasks_confirmed", sa.Integer(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.Column("registered_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("decided_at", models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["grid.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )
    with op.batch_alter_table("memberprofile", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_memberprofile_branch_id"), ["branch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_memberprofile_status"), ["status"], unique=False)

    op.create_table(
        "residentprofile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("compound", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("building", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["grid.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )
    with op.batch_alter_table("residentprofile", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_residentprofile_branch_id"), ["branch_id"], unique=False)

    op.create_table(
        "wish",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("photo_file_ids", sa.JSON(), nullable=False),
        sa.Column("voice_file_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("time_window", sa.String(length=16), nullable=False),
        sa.Column("preferred_date", sa.Date(), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assigned_member_id", sa.Integer(), nullable=True),
        sa.Column("rejection_reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("rejection_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("completion_note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("completion_photo_file_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("hours_spent", sa.Float(), nullable=True),
        sa.Column("submitted_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("triaged_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("assigned_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("completed_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("closed_at", models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_member_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["grid.id"],
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("branch_id", "number"),
    )
    with op.batch_alter_table("wish", schema=None) as batch_op:
        batch_op.create_index("ix_wish_branch_assigned", ["branch_id", "assigned_at"], unique=False)
        batch_op.create_index("ix_wish_branch_status", ["branch_id", "status"], unique=False)
        batch_op.create_index("ix_wish_branch_submitted", ["branch_id", "submitted_at"], unique=False)
        batch_op.create_index("ix_wish_member_status", ["assigned_member_id", "status"], unique=False)
        batch_op.create_index("ix_wish_resident_status", ["resident_id", "status"], unique=False)

    op.create_table(
        "offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wish_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("offered_by", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decline_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("answered_at", models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["offered_by"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["wish_id"],
            ["wish.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.create_index("ix_offer_member_status", ["member_id", "status"], unique=False)
        batch_op.create_index("ix_offer_wish_status", ["wish_id", "status"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("wish_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", models.types.UTCDateTime(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("sent_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["wish_id"],
            ["wish.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_due", ["status", "not_before"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_wish_id"), ["wish_id"], unique=False)

    op.create_table(
        "rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wish_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["wish_id"],
            ["wish.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("wish_id"),
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_member_id"), ["member_id"], unique=False)

    op.create_table(
        "sentreminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wish_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sent_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["wish_id"],
            ["wish.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("wish_id", "kind", "seq"),
    )
    op.create_table(
        "wishevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wish_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["wish_id"],
            ["wish.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("wishevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wishevent_wish_id"), ["wish_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("wishevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wishevent_wish_id"))

    op.drop_table("wishevent")
    op.drop_table("sentreminder")
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_member_id"))

    op.drop_table("rating")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_wish_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_user_id"))
        batch_op.drop_index("ix_outbox_due")

    op.drop_table("outbox")
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_index("ix_offer_wish_status")
        batch_op.drop_index("ix_offer_member_status")

    op.drop_table("offer")
    with op.batch_alter_table("wish", schema=None) as batch_op:
        batch_op.drop_index("ix_wish_resident_status")
        batch_op.drop_index("ix_wish_member_status")
        batch_op.drop_index("ix_wish_branch_submitted")
        batch_op.drop_index("ix_wish_branch_status")
        batch_op.drop_index("ix_wish_branch_assigned")

    op.drop_table("wish")
    with op.batch_alter_table("residentprofile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_residentprofile_branch_id"))

    op.drop_table("residentprofile")
    with op.batch_alter_table("memberprofile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberprofile_status"))
        batch_op.drop_index(batch_op.f("ix_memberprofile_branch_id"))

    op.drop_table("memberprofile")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_user_id"))
        batch_op.drop_index(batch_op.f("ix_staff_branch_id"))

    op.drop_table("staff")
    with op.batch_alter_table("grid", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_branch_id"))

    op.drop_table("grid")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_telegram_id"))

    op.drop_table("user")
    op.drop_table("processedupdate")
    op.drop_table("conversationstate")
    with op.batch_alter_table("branch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_branch_code"))

    op.drop_table("branch")
