"""lookup indexes: a wish by its number alone, and the admins

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# As each database's planner matches `user.is_admin` as SQLAlchemy renders it (SQLite: `= 1`).
_ADMINS_SQLITE, _ADMINS_PG = sa.text("is_admin = 1"), sa.text("is_admin")


def upgrade() -> None:
    op.create_index("ix_wish_number", "wish", ["number"])
    op.create_index(
        "ix_user_admins", "user", ["id"], sqlite_where=_ADMINS_SQLITE, postgresql_where=_ADMINS_PG
    )


def downgrade() -> None:
    op.drop_index("ix_user_admins", table_name="user")
    op.drop_index("ix_wish_number", table_name="wish")
