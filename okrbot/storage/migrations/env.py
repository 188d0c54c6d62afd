"""Alembic environment: runs on the connection that okrbot.storage.migrate hands over."""

from typing import Literal

from alembic import context
from alembic.autogenerate import render
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import okrbot.storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise TypeError("run migrations through okrbot.storage.migrate or `okrbot migrate`")


def render_item(kind: str, item: object, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write okrbot's column types as the plain SQL types they store, so a migration never
    depends on application code that may change after it was written."""
    if kind == "type" and isinstance(item, TypeDecorator):
        return render._repr_type(item.impl_instance, autogen_context)  # noqa: SLF001
    if kind == "type" and isinstance(item, AutoString):
        return f"sa.String(length={item.length})"
    return False


context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
