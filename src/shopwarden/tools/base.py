"""What a tool is (`Tool`) and what it gets to work with (`ToolContext`).

A tool never builds its own adapter: the runtime hands it a `ToolContext` holding factories
for the merchant's Shop and Ads clients and the creative reader. Agents and the gate see
only tool names, argument models and results.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent import futures
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from shopwarden.errors import ConfigError
from shopwarden.tools.inputs import ToolArgs
from shopwarden.tools.ports import AdsPort, CreativePort, ShopPort

Surface = Literal["shop", "ads", "creative", "approvals"]  # approvals: the MCP read-only approval tools
Risk = Literal["low", "medium", "high"]

T = TypeVar("T")
Port = TypeVar("Port")
State = dict[str, Any]
Observer = Callable[["ToolContext", Any], Awaitable[State]]
Executor = Callable[["ToolContext", Any, str], Awaitable[Any]]
Verifier = Callable[["ToolContext", Any, str], Awaitable[bool | None]]
RequestBuilder = Callable[[Any], dict[str, Any]]
EffectRecorder = Callable[[Session, "AppliedChange"], None]
OwnerLookup = Callable[[Connection, Any], str | None]
OwnTableRead = Callable[[Connection, "ToolContext", Any], Any]
ObserverGiven = Callable[["ToolContext", Any, Any], Awaitable[State]]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ToolContext:
    """One merchant's adapters, built lazily (a read of the catalogue never opens the Ads client)."""

    merchant_id: str
    engine: Engine
    shop_factory: Callable[[], ShopPort] | None = None
    ads_factory: Callable[[], AdsPort] | None = None
    creative_factory: Callable[[], CreativePort] | None = None
    clock: Callable[[], datetime] = utc_now
    # The gate hands in its own database threads, so database work never waits behind platform
    # calls (the SDK is sync and runs on the default executor); None means the default executor.
    db_executor: futures.Executor | None = field(default=None, repr=False)
    _shop: ShopPort | None = field(default=None, init=False, repr=False)
    _ads: AdsPort | None = field(default=None, init=False, repr=False)
    _creative: CreativePort | None = field(default=None, init=False, repr=False)
    advertiser_profiles: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)

    def shop(self) -> ShopPort:
        if self._shop is None:
            self._shop = _build(self.shop_factory, "SHOPWARDEN_SHOP_APP_KEY", "no TikTok Shop client is configured")
        return self._shop

    def ads(self) -> AdsPort:
        if self._ads is None:
            self._ads = _build(self.ads_factory, "SHOPWARDEN_COMPOSIO_API_KEY", "no TikTok Ads client is configured")
        return self._ads

    def creative(self) -> CreativePort:
        if self._creative is None:
            self._creative = _build(self.creative_factory, "SHOPWARDEN_COMMERCIAL_CONTENT_CLIENT_KEY",
                                    "no creative reader is configured")
        return self._creative

    def now(self) -> datetime:
        return self.clock()

    async def in_db(self, work: Callable[[], T]) -> T:
        """Run blocking database work off the event loop, on the database threads."""
        return await asyncio.get_running_loop().run_in_executor(self.db_executor, work)


def _build(factory: Callable[[], Port] | None, variable: str, reason: str) -> Port:
    if factory is None:
        raise ConfigError(variable, reason)
    return factory()


@dataclass(frozen=True)
class AppliedChange:
    """A mutation that took effect, handed to the tool's effect recorder (e.g. the budget ledger)."""

    merchant_id: str
    args: Any
    state: State
    execution_id: int | None
    approval_id: int | None
    # What the tool's read-ahead found in our own tables before the change (None when it did not run):
    # lets the effect recorder reuse it instead of reading it again.
    read_ahead: Any = None


@dataclass(frozen=True)
class ReadAhead:
    """Facts from our own tables that a tool's observation needs, read in the gate's single read pass
    (with the merchant, the resource's owner and tenancy) instead of in a database trip of their own.

    `read` returns None when it cannot run yet (e.g. the ad account's time zone is not known before
    its first platform read); `observe` is then handed None and reads them itself.
    """

    read: OwnTableRead
    observe: ObserverGiven


async def no_state(_ctx: ToolContext, _args: Any) -> State:
    return {}


def no_request(_args: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Tool:
    """One typed tool: its argument model, how to observe, execute and verify it."""

    name: str
    surface: Surface
    mutating: bool
    idempotent: bool
    risk: Risk
    args_model: type[ToolArgs]
    execute: Executor
    observe: Observer = no_state
    build_request: RequestBuilder = no_request
    verify: Verifier | None = None
    record_effect: EffectRecorder | None = None
    # Who owns the shop, product or ad account the call names, from our own tables. The gate asks it
    # together with the merchant, before anything reaches a platform, and hands it to the policy as
    # state.resource_merchant_id (reads of another merchant's resource are refused at once).
    owner: OwnerLookup | None = None
    read_ahead: ReadAhead | None = None

    @property
    def action(self) -> Literal["read", "mutate"]:
        return "mutate" if self.mutating else "read"
