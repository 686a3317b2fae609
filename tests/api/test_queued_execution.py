"""With SHOPWARDEN_APPROVAL_EXECUTION=queue, approving defers the execution job in the same transaction."""

import pytest
from api_helpers import queue_enable
from sqlalchemy import text

from shopwarden.agents.checkpoint import postgres_conninfo
from shopwarden.api import create_app
from shopwarden.config import get_settings
from shopwarden.jobs.worker import EXECUTE_TASK, build_app, ensure_schema


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)  # procrastinate lives on PostgreSQL only
async def test_approving_queues_the_execution_for_a_worker(db_url, engine, runtime, tokens, fake_ads,
                                                           monkeypatch) -> None:
    from fastapi.testclient import TestClient

    await ensure_schema(build_app(postgres_conninfo(engine), lambda: None, periodic=False))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM procrastinate_jobs"))
    monkeypatch.setenv("SHOPWARDEN_APPROVAL_EXECUTION", "queue")
    get_settings.cache_clear()
    approval_id = await _queue(runtime)

    def no_runtime() -> None:
        raise AssertionError("queued approvals must not execute in the approving process")

    client = TestClient(create_app(engine, no_runtime))
    auth = {"Authorization": f"Bearer {tokens['alice']}"}
    response = client.post(f"/api/approvals/{approval_id}/approve", headers=auth)
    assert response.status_code == 200, response.text
    assert response.json()["result"] == {"outcome": "queued"}
    assert response.json()["approval"]["status"] == "approved"
    with engine.begin() as conn:
        jobs = conn.execute(text("SELECT args FROM procrastinate_jobs WHERE task_name = :t"), {"t": EXECUTE_TASK})
        assert [row[0] for row in jobs] == [{"approval_id": approval_id}]
    assert fake_ads.mutations() == []


async def _queue(runtime) -> int:  # queue_enable uses asyncio.run, which cannot nest inside this test's loop
    import asyncio

    return await asyncio.to_thread(queue_enable, runtime)
