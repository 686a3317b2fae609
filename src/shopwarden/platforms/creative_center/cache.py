"""A small TTL cache for public creative data (only complete, successful answers are stored)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
DEFAULT_TTL_SECONDS = 15 * 60
MAX_ENTRIES = 512


class TTLCache(Generic[V]):
    def __init__(self, ttl_seconds: float = DEFAULT_TTL_SECONDS, *,
                 clock: Callable[[], float] = time.monotonic, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, V]] = {}

    def get(self, key: Hashable) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, value = entry
        if self._clock() - stored_at >= self.ttl_seconds:
            del self._entries[key]
            return None
        return value

    def put(self, key: Hashable, value: V) -> None:
        if len(self._entries) >= self._max_entries and key not in self._entries:
            del self._entries[next(iter(self._entries))]  # oldest insertion first
        self._entries[key] = (self._clock(), value)

    async def get_or_load(self, key: Hashable, load: Callable[[], Awaitable[V]]) -> V:
        """The cached value, or `load()`'s result (stored only when it returns without raising)."""
        cached = self.get(key)
        if cached is not None:
            return cached
        value = await load()
        self.put(key, value)
        return value

    def __len__(self) -> int:
        return len(self._entries)
