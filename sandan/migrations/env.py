"""Alembic environment. Sandan always hands it an open connection."""

from alembic import context
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on the metadata)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
