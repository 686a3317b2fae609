"""The simulator as an httpx transport, for httpx.Client and httpx.AsyncClient alike.

Latency faults sleep with `time.sleep` on the sync path and `asyncio.sleep` on the async
path, so an async client's event loop is never blocked. Timeouts raise httpx.ReadTimeout.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

from shopwarden.platforms.simulator.wire import SimRequest

if TYPE_CHECKING:
    from shopwarden.platforms.simulator.dispatch import Outcome
    from shopwarden.platforms.simulator.simulator import Simulator


def to_sim_request(request: httpx.Request, body: bytes) -> SimRequest:
    return SimRequest.build(
        method=request.method,
        host=request.url.host,
        path=request.url.path,
        raw_query=request.url.query.decode(),
        headers=dict(request.headers),
        body=body,
    )


def _response(outcome: Outcome, request: httpx.Request) -> httpx.Response:
    if outcome.timeout or outcome.response is None:
        raise httpx.ReadTimeout("simulated timeout: no response was received", request=request)
    answer = outcome.response
    return httpx.Response(answer.status, headers=answer.all_headers(), content=answer.content(), request=request)


class SimulatorTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Routes each request into one Simulator; usable by sync and async clients."""

    def __init__(self, simulator: Simulator) -> None:
        self._simulator = simulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        outcome = self._simulator.handle(to_sim_request(request, request.read()))
        if outcome.delay:
            time.sleep(outcome.delay)
        return _response(outcome, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        outcome = self._simulator.handle(to_sim_request(request, await request.aread()))
        if outcome.delay:
            await asyncio.sleep(outcome.delay)
        return _response(outcome, request)
