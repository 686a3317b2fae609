"""Two processes preparing the PostgreSQL checkpointer on a fresh database at once both finish (found by
bench/soak.py: two `shopwarden worker` processes hung for ever in LangGraph's setup)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

from shopwarden.agents.checkpoint import set_up_exclusively


@pytest.fixture
def fresh_database(pg_database: str) -> Iterator[str]:
    """An empty database on the tests' server: no checkpoint tables yet, so setup() runs its
    CREATE INDEX CONCURRENTLY."""
    name = f"shopwarden_ckpt_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_database.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_concurrent_setups_on_a_fresh_database_both_finish(fresh_database: str):
    async def one_process() -> None:
        async with AsyncPostgresSaver.from_conn_string(fresh_database) as saver:
            await set_up_exclusively(saver, fresh_database)

    # A blocking pg_advisory_lock here deadlocked: the waiter's statement is a transaction older than
    # the holder's CREATE INDEX CONCURRENTLY, which waits for it.
    await asyncio.wait_for(asyncio.gather(one_process(), one_process(), one_process()), timeout=90)
    with psycopg.connect(fresh_database) as conn:
        indexes = {row[0] for row in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'checkpoints'")}
    assert "checkpoints_thread_id_idx" in indexes
