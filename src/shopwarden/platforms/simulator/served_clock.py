"""The one clock: a served simulator tells its clients the time (`GET /sim/clock`).

When SHOPWARDEN_SIMULATOR_URL is set, every process pointed at the served simulator (the CLI, the
console, the scheduler) uses the simulator's virtual time for token expiry, request timestamps,
report windows and schedule slots, so they agree with the platform it talks to. The answer is
kept for a second: the virtual clock moves only when told to (`shopwarden sandbox advance`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

import httpx

from shopwarden.errors import ConfigError

CACHE_SECONDS = 1.0


class ServedClock:
    """A `() -> datetime` reading the served simulator's virtual time."""

    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None,
                 cache_seconds: float = CACHE_SECONDS) -> None:
        self.base_url = base_url.rstrip("/")
        self._transport = transport
        self._cache_seconds = cache_seconds
        self._read_at = float("-inf")
        self._now: datetime | None = None

    def __call__(self) -> datetime:
        if self._now is None or time.monotonic() - self._read_at > self._cache_seconds:
            self._now = self._fetch()
            self._read_at = time.monotonic()
        return self._now

    def _fetch(self) -> datetime:
        try:
            with httpx.Client(transport=self._transport, timeout=5.0) as client:
                answer = client.get(f"{self.base_url}/sim/clock")
            answer.raise_for_status()
            now = datetime.fromisoformat(answer.json()["clock"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError("SHOPWARDEN_SIMULATOR_URL", f"the simulator at {self.base_url} does not tell its time "
                                                          f"({type(exc).__name__}); is `shopwarden sandbox` or "
                                                          "`shopwarden sim serve` running?") from None
        if now.tzinfo is None:
            raise ConfigError("SHOPWARDEN_SIMULATOR_URL", f"the simulator at {self.base_url} sent a time without "
                                                          "a time zone")
        return now


def clock_for(simulator_url: str | None) -> Callable[[], datetime]:
    """The served simulator's clock when SHOPWARDEN_SIMULATOR_URL is set, else the wall clock (UTC)."""
    if simulator_url:
        return ServedClock(simulator_url)
    from shopwarden.tools.base import utc_now

    return utc_now
