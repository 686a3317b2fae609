"""A whole demo run on the simulator (OAuth, Composio consent, cycles, an approval, a rejection) leaves no
token, app secret, API key or master key in any table row, in any log line or on the console."""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import select
from sqlmodel import SQLModel

from shopwarden.config import get_settings
from shopwarden.db.engine import engine_for
from shopwarden.demo import run as demo
from shopwarden.security.redaction import install_log_redaction


@pytest.fixture(autouse=True)
def restore_environment() -> Iterator[None]:
    """The demo points this process's settings at its own data dir, as the CLI process would."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _secrets_of(sim: Any, data_dir: Path) -> set[str]:
    world, creds = sim.world, sim.credentials
    found = {creds.app_secret, creds.composio_api_key, creds.client_secret}
    found |= set(world.client_tokens)
    found |= set(json.loads((data_dir / "master.key").read_text())["keys"])
    found |= {t.access_token for t in world.shop_tokens.values()}
    found |= {t.refresh_token for t in world.shop_tokens.values()}
    found |= {a.access_token for a in world.advertisers.values()}
    found |= {a.access_token for a in world.connected_accounts.values() if a.access_token}
    found |= set(world.auth_codes)
    return {s for s in found if s}


def _every_stored_value() -> str:
    engine = engine_for(get_settings().effective_database_url)
    with engine.connect() as conn:
        return "\n".join(str(tuple(row)) for table in SQLModel.metadata.sorted_tables
                         for row in conn.execute(select(table)))


async def test_no_secret_in_rows_logs_or_console(tmp_path: Path, monkeypatch, caplog) -> None:
    simulators: list[Any] = []
    original = demo.Simulator.from_scenario

    def capture(*args: Any, **kwargs: Any) -> Any:
        simulators.append(original(*args, **kwargs))
        return simulators[-1]

    monkeypatch.setattr(demo.Simulator, "from_scenario", capture)
    install_log_redaction()  # what `shopwarden` does first in every process
    caplog.set_level(logging.DEBUG)
    out = io.StringIO()
    data_dir = tmp_path / "demo"

    result = await demo.run_demo(Console(file=out, width=200), days=2, data_dir=data_dir)

    [sim] = simulators
    secrets = _secrets_of(sim, data_dir)
    assert len(secrets) >= 8 and any(t in secrets for t in sim.world.shop_tokens)  # the run really used tokens
    assert result.audit_rows > 20 and result.approved is not None
    stored, logged = _every_stored_value(), caplog.text
    assert "tool_executions" not in stored  # sanity: values, not table names
    assert "update_budget" in stored or "enable_ads" in stored
    assert logged, "the run logged nothing: the log scan would prove nothing"
    leaks = {where: sorted(s[:6] + "…" for s in secrets if s in text)
             for where, text in (("rows", stored), ("logs", logged), ("console", out.getvalue()))}
    assert leaks == {"rows": [], "logs": [], "console": []}
