"""`shopwarden mcp client add|list|revoke` through the installed script: a client's own stricter limits."""

from __future__ import annotations

import json

from installed_cli import shopwarden

from shopwarden.db.models import Merchant


def _added(*flags: str) -> str:
    done = shopwarden("mcp", "client", "add", "m-acme", "careful", "--tools", "list_campaigns,update_budget", *flags)
    assert done.returncode == 0, done.stderr
    [client_id] = [line.split("=", 1)[1] for line in done.stdout.splitlines()
                   if line.startswith("SHOPWARDEN_MCP_CLIENT_ID=")]
    return client_id


def test_client_add_stores_its_own_limits_and_list_shows_them(engine, merchant: Merchant) -> None:
    client_id = _added("--max-budget-change-pct", "5", "--hard-budget-change-pct", "50.5",
                       "--max-daily-increase", "200", "--limit", "max_skus_per_call=2", "--autonomy", "suggest")
    listed = shopwarden("mcp", "client", "list", "m-acme")
    assert listed.returncode == 0, listed.stderr
    [line] = [row for row in listed.stdout.splitlines() if client_id in row]
    assert ("own limits: account_daily_increase_max=200, daily_budget_change_pct=5, hard_budget_change_pct=50.5, "
            "max_skus_per_call=2, autonomy<=suggest") in line
    as_json = shopwarden("mcp", "client", "list", "m-acme", "--json")
    [row] = json.loads(as_json.stdout)
    assert row["policy_limits"] == {"daily_budget_change_pct": 5, "hard_budget_change_pct": "50.5",
                                    "account_daily_increase_max": 200, "max_skus_per_call": 2}
    assert row["max_autonomy"] == "suggest"
    assert not {"token_hash", "minute_started_ms", "calls_this_minute"} & set(row)


def test_a_client_without_own_limits_lists_none(engine, merchant: Merchant) -> None:
    client_id = _added()
    listed = shopwarden("mcp", "client", "list", "m-acme")
    [line] = [row for row in listed.stdout.splitlines() if client_id in row]
    assert "own limits" not in line and "60/min 1000/day" in line


def test_client_add_refuses_limits_a_client_cannot_carry(sqlite_url: str, monkeypatch) -> None:
    from shopwarden.db.engine import engine_for, session_scope

    with session_scope(engine_for(sqlite_url)) as session:
        session.add(Merchant(id="m-acme", name="Acme", autonomy="guarded", limits={}))
    base = ("mcp", "client", "add", "m-acme", "x", "--tools", "update_budget")
    for flags, message in [
        (("--max-budget-change-pct", "-3"), "is not a number from 0 to"),
        (("--max-budget-change-pct", "NaN"), "is not a number from 0 to"),
        (("--max-daily-increase", "1e999"), "is not a number from 0 to"),
        (("--limit", "max_budget=10"), "not a limit a client can carry"),
        (("--limit", "daily_budget_change_pct"), "is not NAME=VALUE"),
        (("--autonomy", "reckless"), "reckless"),
    ]:
        done = shopwarden(*base, *flags)
        assert done.returncode == 2, (flags, done.stdout, done.stderr)
        assert message in done.stderr, (flags, done.stderr)
        assert "Traceback" not in done.stderr
    listed = shopwarden("mcp", "client", "list", "m-acme", "--json")
    assert json.loads(listed.stdout) == []  # nothing half-registered
