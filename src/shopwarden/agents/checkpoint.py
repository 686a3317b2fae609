"""The durable checkpointer behind paused cycles: SQLite file in the data dir, or the PostgreSQL database.

It follows the database choice, so a cycle paused by one process can be resumed by another.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy.engine import Engine

CHECKPOINT_FILE = "checkpoints.sqlite"


def postgres_conninfo(engine: Engine) -> str | None:
    """A libpq URL for the engine's database, or None when it is not PostgreSQL."""
    if engine.dialect.name != "postgresql":
        return None
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def open_checkpointer(engine: Engine, data_dir: Path) -> AsyncIterator[BaseCheckpointSaver]:
    conninfo = postgres_conninfo(engine)
    if conninfo is not None:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        async with AsyncPostgresSaver.from_conn_string(conninfo) as saver:
            await saver.setup()
            yield saver
        return
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    data_dir.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteSaver.from_conn_string(str(data_dir / CHECKPOINT_FILE)) as saver:
        yield saver
