"""Alembic environment: runs on the connection that okrbot.storage.migrate hands over."""

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import okrbot.storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise TypeError("run migrations through okrbot.storage.migrate or `okrbot migrate`")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
