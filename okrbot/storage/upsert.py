"""INSERT … ON CONFLICT, for SQLite and PostgreSQL alike."""

from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

if TYPE_CHECKING:
    from sqlalchemy import Table


def insert_if_absent(
    session: Session, model: type[SQLModel], values: dict[str, Any], *, unique_on: list[str]
) -> bool:
    """Insert a row unless one with the same `unique_on` columns exists; True if inserted.

    This is how claims work: of several processes inserting the same key at once, exactly
    one gets True, without an error or a retry for the others.
    """
    table: Table = model.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=unique_on)
        .returning(*table.primary_key.columns)
    )
    # The returned key says whether a row went in; rowcount cannot: PostgreSQL reports -1.
    return session.execute(statement).first() is not None
