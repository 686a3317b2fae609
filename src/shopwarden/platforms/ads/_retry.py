"""Bounded retry for calls that are safe to repeat (reads and absolute-set writes).

Only `PlatformUnavailable` is retried; rate limits, auth and parameter errors go straight back
to the caller (the next cycle tries again). Creates never come through here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from shopwarden.errors import PlatformUnavailable

T = TypeVar("T")
DEFAULT_BACKOFF: tuple[float, ...] = (0.5, 2.0)  # two retries after the first try


async def with_retry(attempt: Callable[[], Awaitable[T]], backoff: Sequence[float] = DEFAULT_BACKOFF) -> T:
    for delay in backoff:
        try:
            return await attempt()
        except PlatformUnavailable:
            await asyncio.sleep(delay)
    return await attempt()
