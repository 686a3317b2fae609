"""Calls to an in-process model runtime, one at a time, even after a timeout.

llama.cpp (ChatLlamaCpp) computes in the caller's thread, on one context that is not safe to share.
`asyncio.wait_for` around `ainvoke` gives up waiting on a slow call but cannot stop its thread, so
the next call (the next agent, or the next turn) entered the same context while the first was
still decoding: the KV cache was written from two threads and llama.cpp aborted
(`GGML_ASSERT(i1 >= 0 && i1 < ne1)` in set_rows) or the process segfaulted.

Here each call runs in a worker thread that holds the model's lock for the whole call. A caller
that times out marks its call abandoned, so a call still waiting for the lock never starts (no
queue of replies nobody reads). A call already computing cannot be stopped from Python
(llama-cpp-python does not expose llama.cpp's abort callback once the context exists): the next
call waits for it, and that wait counts against the next call's own timeout.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.runnables import RunnableBinding

# By id, since chat models (pydantic) are not hashable; the weak reference tells a reused id apart.
_locks: dict[int, tuple[weakref.ref[Any], threading.Lock]] = {}
_locks_guard = threading.Lock()


class Abandoned(Exception):
    """The caller stopped waiting for this call."""


def model_of(runnable: Any) -> Any:
    """The chat model under its bindings (`model.bind_tools(...)` wraps it once or more)."""
    while isinstance(runnable, RunnableBinding):
        runnable = runnable.bound
    return runnable


def lock_for(model: Any) -> threading.Lock:
    """The one lock of this model object, made on first use."""
    with _locks_guard:
        for key in [k for k, (ref, _) in _locks.items() if ref() is None]:
            del _locks[key]
        found = _locks.get(id(model))
        if found is None or found[0]() is not model:
            found = _locks[id(model)] = (weakref.ref(model), threading.Lock())
        return found[1]


async def invoke_exclusive(runnable: Any, messages: list[BaseMessage], timeout: float) -> Any:
    """`runnable.invoke(messages)` in a thread holding its model's lock; TimeoutError after `timeout` s."""
    model = model_of(runnable)
    abandoned = threading.Event()

    def run() -> Any:
        with lock_for(model):
            if abandoned.is_set():
                raise Abandoned("the caller timed out while an earlier call held the model")
            return runnable.invoke(messages)

    try:
        return await asyncio.wait_for(asyncio.to_thread(run), timeout=timeout)
    except TimeoutError:
        abandoned.set()
        raise
