"""Registered MCP clients: who an outside agent is, which merchant it acts for, what it may use.

    issued = add_client(engine, "m_glow", "claude-desktop", ["list_campaigns", "update_budget"])
    issued.token                          # shown once; only its sha256 is stored
    client = authenticate(engine, token)  # None for a missing, wrong or revoked token

A client is an agent of the gate like the LangGraph agents: its agent id is `mcp:<client id>`,
so every audit row and approval names it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import case, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from shopwarden.db.engine import session_scope
from shopwarden.db.models import McpClient, Merchant
from shopwarden.db.tables import table_of
from shopwarden.domain.numbers import as_number
from shopwarden.errors import ConfigError, NotFound
from shopwarden.policy.stricter import AUTONOMY_ORDER, TIGHTENABLE

TOKEN_PREFIX = "swm_"
AGENT_PREFIX = "mcp:"
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
DEFAULT_CALLS_PER_MINUTE = 60
DEFAULT_DAILY_CALLS = 1000
DEFAULT_MAX_ARG_BYTES = 16384
MAX_OWN_LIMIT = 10**12  # above any budget or percentage; keeps a stored limit a plain JSON number


@dataclass(frozen=True)
class ClientIdentity:
    """An authenticated client, as the server sees it for the length of a session or request."""

    id: str
    merchant_id: str
    name: str
    tools: tuple[str, ...]
    calls_per_minute: int
    daily_calls: int
    max_arg_bytes: int
    # The client's own policy limits and autonomy level: they only ever tighten the merchant's.
    policy_limits: Mapping[str, Any] = field(default_factory=dict)
    max_autonomy: str | None = None

    @property
    def agent_id(self) -> str:
        return f"{AGENT_PREFIX}{self.id}"

    @property
    def policy_key(self) -> tuple[Any, ...]:
        """What the gate's view of this client depends on (its allowlist and its own limits)."""
        return (self.id, self.tools, tuple(sorted(self.policy_limits.items())), self.max_autonomy)


@dataclass(frozen=True)
class IssuedClient:
    client: ClientIdentity
    token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def identity(row: McpClient) -> ClientIdentity:
    return ClientIdentity(row.id, row.merchant_id, row.name, tuple(row.tools), row.calls_per_minute,
                          row.daily_calls, row.max_arg_bytes, dict(row.policy_limits or {}), row.max_autonomy)


def checked_policy_limits(limits: Mapping[str, Any]) -> dict[str, int | str]:
    """The client's own policy limits, validated: a tightenable limit name and a finite number >= 0,
    stored as the merchant's are (an int, or a decimal as text)."""
    checked: dict[str, int | str] = {}
    for name, raw in limits.items():
        label = f"--limit {str(name)[:60]}"
        if name not in TIGHTENABLE:
            raise ConfigError(label, f"not a limit a client can carry; use one of {', '.join(sorted(TIGHTENABLE))}")
        number = as_number(raw)
        if number is None or not 0 <= number <= MAX_OWN_LIMIT:
            raise ConfigError(label, f"{str(raw)[:40]!r} is not a number from 0 to {MAX_OWN_LIMIT}")
        checked[name] = int(number) if number == number.to_integral_value() else str(number.normalize())
    return checked


def add_client(engine: Engine, merchant_id: str, name: str, tools: Iterable[str], *, known_tools: Iterable[str],
               calls_per_minute: int = DEFAULT_CALLS_PER_MINUTE, daily_calls: int = DEFAULT_DAILY_CALLS,
               max_arg_bytes: int = DEFAULT_MAX_ARG_BYTES, policy_limits: Mapping[str, Any] | None = None,
               max_autonomy: str | None = None) -> IssuedClient:
    """Register a client of `merchant_id` allowed the given tools (each must be a known tool), with
    optional limits of its own that can only make the merchant's stricter for this client."""
    if not NAME.fullmatch(name):
        raise ConfigError("NAME", "use 1-40 lower-case letters, digits, '_' or '-', starting with a letter or digit")
    wanted = list(dict.fromkeys(tools))
    unknown = sorted(set(wanted) - set(known_tools))
    if not wanted or unknown:
        raise ConfigError("--tools", f"unknown tools: {', '.join(unknown)}" if unknown else "name at least one tool")
    for value, label in ((calls_per_minute, "--calls-per-minute"), (daily_calls, "--daily-calls"),
                         (max_arg_bytes, "--max-arg-bytes")):
        if value < 1:
            raise ConfigError(label, "must be at least 1")
    own_limits = checked_policy_limits(policy_limits or {})
    if max_autonomy is not None and max_autonomy not in AUTONOMY_ORDER:
        raise ConfigError("--autonomy", f"use one of {', '.join(AUTONOMY_ORDER)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = McpClient(id="c" + secrets.token_hex(8), merchant_id=merchant_id, name=name, tools=wanted,
                    token_hash=_hash(token), calls_per_minute=calls_per_minute, daily_calls=daily_calls,
                    max_arg_bytes=max_arg_bytes, policy_limits=own_limits, max_autonomy=max_autonomy)
    with session_scope(engine) as session:
        if session.get(Merchant, merchant_id) is None:
            raise NotFound(f"merchant {merchant_id} does not exist")
        taken = session.exec(select(McpClient).where(McpClient.merchant_id == merchant_id,
                                                     McpClient.name == name)).first()
        if taken is not None:
            raise ConfigError("NAME", f"merchant {merchant_id} already has an MCP client named {name}")
        session.add(row)
        session.flush()
        issued = identity(row)
    return IssuedClient(issued, token)


def list_clients(engine: Engine, merchant_id: str) -> list[McpClient]:
    with session_scope(engine) as session:
        rows = session.exec(select(McpClient).where(McpClient.merchant_id == merchant_id)
                            .order_by(col(McpClient.created_at))).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def revoke_client(engine: Engine, merchant_id: str, client_id: str) -> None:
    with session_scope(engine) as session:
        row = session.get(McpClient, client_id)
        if row is None or row.merchant_id != merchant_id:
            raise NotFound(f"merchant {merchant_id} has no MCP client {client_id}")
        row.status = "revoked"
        session.add(row)


def authenticate(engine: Engine, token: str | None, client_id: str | None = None) -> ClientIdentity | None:
    """The active client holding `token` (and, when given, named `client_id`); None otherwise."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    with session_scope(engine) as session:
        row = session.exec(select(McpClient).where(McpClient.token_hash == _hash(token))).first()
        if row is None or row.status != "active":
            return None
        if client_id is not None and not hmac.compare_digest(row.id.encode(), client_id.encode()):
            return None
        return identity(row)


def count_minute_call(engine: Engine, client: ClientIdentity, now_ms: int, window_ms: int) -> bool:
    """Take one call from the client's current minute (a window that opens at its first call and lasts
    `window_ms`), by one compare-and-set UPDATE: every process serving the client shares the count.
    False when the window's calls are spent. Within any `window_ms` span a client gets at most twice
    its rate (the end of one window and the start of the next), never more."""
    table = table_of(McpClient)
    started = table.c.minute_started_ms
    fresh = or_(started.is_(None), started <= now_ms - window_ms)
    statement = (
        update(table)
        .where(table.c.id == client.id, table.c.status == "active",
               or_(fresh, table.c.calls_this_minute < table.c.calls_per_minute))
        .values(calls_this_minute=case((fresh, 1), else_=table.c.calls_this_minute + 1),
                minute_started_ms=case((fresh, now_ms), else_=started))
    )
    with session_scope(engine) as session:
        return session.connection().execute(statement).rowcount == 1


def minute_started(engine: Engine, client: ClientIdentity) -> int | None:
    """When the client's current minute began (epoch ms), for telling it when to retry."""
    with session_scope(engine) as session:
        row = session.get(McpClient, client.id)
        return None if row is None else row.minute_started_ms


def count_call(engine: Engine, client: ClientIdentity, today: date) -> bool:
    """Take one call from today's budget (compare-and-set, safe across processes); False when spent."""
    table = table_of(McpClient)
    same_day = table.c.calls_day == today
    statement = (
        update(table)
        .where(table.c.id == client.id, table.c.status == "active",
               or_(table.c.calls_day.is_(None), table.c.calls_day != today, table.c.calls_today < table.c.daily_calls))
        .values(calls_today=case((same_day, table.c.calls_today + 1), else_=1), calls_day=today)
    )
    with session_scope(engine) as session:
        return session.connection().execute(statement).rowcount == 1
