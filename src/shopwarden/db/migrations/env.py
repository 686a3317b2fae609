"""Alembic environment: the engine is handed in by shopwarden.db.engine.upgrade."""

from alembic import context
from sqlmodel import SQLModel

import shopwarden.db.models  # noqa: F401  (registers the tables)

target_metadata = SQLModel.metadata
engine = context.config.attributes["engine"]


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Only our tables: procrastinate and the LangGraph checkpointer keep theirs in the same database."""
    return type_ != "table" or name in target_metadata.tables

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
