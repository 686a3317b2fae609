"""Client registration, tokens, the daily budget's compare-and-set (SQLite and PostgreSQL), rate and size limits."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from shopwarden.db.engine import session_scope
from shopwarden.db.models import McpClient, Merchant
from shopwarden.errors import ConfigError, NotFound
from shopwarden.mcp import add_client, authenticate, revoke_client
from shopwarden.mcp.agents import mcp_agent_spec
from shopwarden.mcp.clients import count_call
from shopwarden.mcp.limits import MAX_DEPTH, ClientLimiter, LimitExceeded, check_arguments
from shopwarden.tools import registry


def _add(engine, name: str = "assistant", tools: tuple[str, ...] = ("list_campaigns",), **limits: int):
    return add_client(engine, "m-acme", name, list(tools), known_tools=registry(), **limits)


def test_the_token_is_shown_once_and_stored_only_as_its_hash(engine, merchant: Merchant) -> None:
    issued = _add(engine)
    with session_scope(engine) as session:
        row = session.exec(select(McpClient)).one()
        assert row.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
        assert issued.token not in str(row.model_dump())
    assert authenticate(engine, issued.token) == issued.client
    assert authenticate(engine, issued.token, issued.client.id) == issued.client
    assert authenticate(engine, issued.token, "c0000000000000000") is None
    other_last = "B" if issued.token.endswith("A") else "A"  # always a different token, never the same one again
    assert authenticate(engine, issued.token[:-1] + other_last) is None
    assert authenticate(engine, None) is None and authenticate(engine, "swr_" + issued.token[4:]) is None
    assert authenticate(engine, "swm_" + "x" * 5_000_000) is None


def test_a_revoked_client_cannot_authenticate_nor_act_as_an_agent(engine, merchant: Merchant) -> None:
    issued = _add(engine, tools=("list_campaigns", "update_budget"))
    spec = mcp_agent_spec(engine, issued.client.agent_id)
    assert spec is not None and spec.allowed_tools == ["list_campaigns", "update_budget", "approval_status",
                                                       "pending_approvals"]
    revoke_client(engine, "m-acme", issued.client.id)
    assert authenticate(engine, issued.token) is None
    assert mcp_agent_spec(engine, issued.client.agent_id) is None
    assert mcp_agent_spec(engine, "growth_marketer") is None


def test_registration_refuses_bad_names_unknown_tools_merchants_and_duplicates(engine, merchant: Merchant) -> None:
    with pytest.raises(ConfigError, match="unknown tools: approve_everything"):
        _add(engine, tools=("list_campaigns", "approve_everything"))
    with pytest.raises(ConfigError, match="lower-case"):
        _add(engine, name='x"; DROP TABLE mcp_clients; --')
    with pytest.raises(ConfigError, match="at least one tool"):
        _add(engine, tools=())
    with pytest.raises(NotFound):
        add_client(engine, "m-nobody", "x", ["list_campaigns"], known_tools=registry())
    _add(engine)
    with pytest.raises(ConfigError, match="already has an MCP client named assistant"):
        _add(engine)


def test_the_daily_budget_is_taken_by_compare_and_set_and_resets_the_next_day(engine, merchant: Merchant) -> None:
    client = _add(engine, daily_calls=3).client
    day = date(2026, 12, 1)
    assert [count_call(engine, client, day) for _ in range(5)] == [True, True, True, False, False]
    assert count_call(engine, client, date(2026, 12, 2)) is True
    with session_scope(engine) as session:
        row = session.get(McpClient, client.id)
        assert (row.calls_day, row.calls_today) == (date(2026, 12, 2), 1)


def test_the_limiter_names_the_limit_and_when_to_retry(engine, merchant: Merchant) -> None:
    client = _add(engine, calls_per_minute=2, daily_calls=3).client
    now = [datetime(2026, 12, 1, 23, 0, tzinfo=UTC)]
    limiter = ClientLimiter(engine, clock=lambda: now[0])
    limiter.take(client)
    limiter.take(client)
    with pytest.raises(LimitExceeded, match=r"2 calls per minute; retry in 60\.0 s") as rate:
        limiter.take(client)
    assert rate.value.code == "limit.rate"
    now[0] += timedelta(seconds=59)
    with pytest.raises(LimitExceeded, match=r"retry in 1\.0 s"):
        limiter.take(client)
    now[0] += timedelta(seconds=1)
    limiter.take(client)  # a new minute; the daily budget (3) is now spent
    now[0] += timedelta(seconds=60)
    with pytest.raises(LimitExceeded, match="3 calls per day") as daily:
        limiter.take(client)
    assert daily.value.code == "limit.daily_calls" and daily.value.retry_after == 3600 - 120


def test_the_rate_is_the_clients_total_across_independent_limiters(engine, merchant: Merchant) -> None:
    """Two services (two processes, in production) sharing one database share one count per client."""
    client = _add(engine, calls_per_minute=5).client
    other = _add(engine, name="other", calls_per_minute=5).client
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    first, second = ClientLimiter(engine, clock=lambda: now), ClientLimiter(engine, clock=lambda: now)

    def took(limiter: ClientLimiter) -> bool:
        try:
            limiter.take(client)
        except LimitExceeded as exc:
            assert exc.code == "limit.rate"
            return False
        return True

    assert [took(limiter) for limiter in (first, second) * 4] == [True] * 5 + [False] * 3
    second.take(other)  # another client's minute is its own


def test_concurrent_calls_never_take_more_than_the_rate(engine, merchant: Merchant) -> None:
    """The count is one compare-and-set UPDATE: threads racing on it (PostgreSQL runs them in parallel)
    get exactly the rate between them."""
    client = _add(engine, calls_per_minute=10, daily_calls=1000).client
    limiters = [ClientLimiter(engine) for _ in range(4)]

    def attempts(limiter: ClientLimiter) -> int:
        taken = 0
        for _ in range(6):
            try:
                limiter.take(client)
                taken += 1
            except LimitExceeded:
                pass
        return taken

    with ThreadPoolExecutor(max_workers=4) as pool:
        taken = sum(pool.map(attempts, limiters))
    assert taken == 10
    with session_scope(engine) as session:
        assert session.get(McpClient, client.id).calls_this_minute == 10


def test_argument_bounds(engine, merchant: Merchant) -> None:
    client = _add(engine, max_arg_bytes=100).client
    check_arguments(client, {"advertiser_id": "1" * 50})
    with pytest.raises(LimitExceeded, match="at most 100"):
        check_arguments(client, {"advertiser_id": "1" * 200})
    deep: dict = {}
    node = deep
    for _ in range(MAX_DEPTH):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(LimitExceeded, match="nested deeper"):
        check_arguments(client, deep)
    with pytest.raises(LimitExceeded, match="JSON object"):
        check_arguments(client, ["a"])


def test_an_mcp_client_can_never_decide_an_approval_even_if_named_as_a_reviewer(engine, merchant: Merchant) -> None:
    from shopwarden import approvals
    from shopwarden.approvals.queue import ReviewerNotAllowed

    issued = _add(engine, tools=("update_budget",))
    with session_scope(engine) as session:
        pending = approvals.create_approval(
            session, merchant_id="m-acme", run_id="", agent_id="growth_marketer", tool="update_budget",
            args={"budget": "200"}, reasons=["over the limit"], reason_codes=["budget.over_limit"], rationale="",
            policy_version="v", requested_by="growth_marketer")
        approval_id = pending.id
    with pytest.raises(ReviewerNotAllowed, match="agent or automation"):
        approvals.add_reviewer(engine, "m-acme", issued.client.agent_id)
    with pytest.raises(ReviewerNotAllowed, match="agent or automation"):
        approvals.approve(engine, approval_id, reviewer=issued.client.agent_id)
    assert approvals.get_approval(engine, approval_id).status == "pending"
