"""A client's own limits, checked before a call reaches the gate: size and shape of the arguments,
calls per minute and calls per day, both counted in the database, so they hold across every process
serving the client.

Each refusal is a `LimitExceeded` whose message tells the client what the limit is and when to retry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from shopwarden.mcp.clients import ClientIdentity, count_call, count_minute_call, minute_started

MAX_DEPTH = 8  # the deepest tool model (inventory update: skus -> sku) needs 3
WINDOW_MS = 60_000
TOOL_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


class LimitExceeded(Exception):
    """A client limit refused the call; `code` is stable for programs, the message is for people."""

    def __init__(self, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": "limited", "code": self.code, "message": str(self)}
        if self.retry_after is not None:
            body["retry_after_seconds"] = round(self.retry_after, 1)
        return body


def check_tool_name(name: Any) -> None:
    if not isinstance(name, str) or not TOOL_NAME.fullmatch(name):
        raise LimitExceeded("tool.bad_name", "a tool name is 1-64 lower-case letters, digits or '_'")


def check_arguments(client: ClientIdentity, arguments: Any) -> None:
    """Arguments must be a JSON object no larger than the client's byte bound and no deeper than MAX_DEPTH."""
    if not isinstance(arguments, dict):
        raise LimitExceeded("args.not_an_object", "tool arguments must be a JSON object")
    if _depth(arguments) > MAX_DEPTH:
        raise LimitExceeded("args.too_deep", f"tool arguments are nested deeper than {MAX_DEPTH} levels")
    size = len(json.dumps(arguments, default=str).encode())
    if size > client.max_arg_bytes:
        raise LimitExceeded("args.too_large",
                            f"tool arguments are {size} bytes; this client may send at most {client.max_arg_bytes}")


def _depth(value: Any, level: int = 0) -> int:
    """Nesting depth of containers, without descending further than needed to know it is too deep."""
    if not isinstance(value, dict | list):
        return level
    if level >= MAX_DEPTH:
        return level + 1
    children = value.values() if isinstance(value, dict) else value
    return max((_depth(child, level + 1) for child in children), default=level + 1)


class ClientLimiter:
    """The client's calls per minute, then its calls per day: both counted in the database."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] | None = None) -> None:
        self._engine = engine
        self._clock = clock or (lambda: datetime.now(UTC))

    def take(self, client: ClientIdentity) -> None:
        """Count one call, or raise LimitExceeded (rate first: a flood never spends the daily budget)."""
        now = self._clock()
        self._take_rate(client, now)
        if not count_call(self._engine, client, now.date()):
            midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
            raise LimitExceeded("limit.daily_calls",
                                f"daily call budget spent: this client may make {client.daily_calls} calls per day "
                                f"(UTC); it resets at {midnight:%Y-%m-%d %H:%M} UTC",
                                retry_after=(midnight - now).total_seconds())

    def _take_rate(self, client: ClientIdentity, now: datetime) -> None:
        now_ms = int(now.timestamp() * 1000)
        if count_minute_call(self._engine, client, now_ms, WINDOW_MS):
            return
        started = minute_started(self._engine, client)
        retry = max(0.1, (WINDOW_MS - (now_ms - (started if started is not None else now_ms))) / 1000)
        raise LimitExceeded("limit.rate", f"rate limit: this client may make {client.calls_per_minute} calls per "
                                          f"minute; retry in {retry:.1f} s", retry_after=retry)
