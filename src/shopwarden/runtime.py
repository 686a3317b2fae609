"""The one composition function: everything chosen once at start-up.

    runtime = build_runtime()                       # real platforms
    runtime = build_runtime(simulator=sim)          # every adapter wired to the in-process simulator
    result = await runtime.gate.call(ToolCall(...))

Adapters are built here and handed to tools through `ToolContext`; nothing else constructs them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from shopwarden.agents.specs import AgentSpec, load_agent_specs
from shopwarden.approvals.queue import ttl_of
from shopwarden.config import Settings, get_settings
from shopwarden.db.engine import engine_for
from shopwarden.gate.pipeline import Gate
from shopwarden.platforms.simulator.served_clock import clock_for
from shopwarden.policy import PolicyEngine, default_limits, load_engine
from shopwarden.security.connections import get_vault
from shopwarden.security.vault import Vault
from shopwarden.tools import ToolContext
from shopwarden.tools.ports import AdsPort, CreativePort, ShopPort


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    vault: Vault
    policy: PolicyEngine
    agent_specs: dict[str, AgentSpec]
    clock: Callable[[], datetime]
    transport: Any = None  # an httpx transport when wired to a simulator
    simulator: Any = None
    gate: Gate = field(init=False)
    _contexts: dict[str, ToolContext] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.gate = Gate(engine=self.engine, policy=self.policy, context_for=self.tool_context,
                         agent_specs=self.agent_specs, default_limits=default_limits(), clock=self.clock,
                         agent_lookup=self._registered_agent, approval_ttl=ttl_of(self.settings))

    def _registered_agent(self, agent_id: str) -> AgentSpec | None:
        """An agent registered at run time: an active MCP client (`mcp:<client id>`)."""
        from shopwarden.mcp.agents import mcp_agent_spec

        return mcp_agent_spec(self.engine, agent_id)

    def tool_context(self, merchant_id: str) -> ToolContext:
        """The merchant's adapters (built lazily, reused for the life of the runtime)."""
        if merchant_id not in self._contexts:
            self._contexts[merchant_id] = ToolContext(
                merchant_id=merchant_id, engine=self.engine, clock=self.clock,
                shop_factory=lambda: self._shop_client(merchant_id),
                ads_factory=lambda: self._ads_client(merchant_id),
                creative_factory=self._creative_reader,
            )
        return self._contexts[merchant_id]

    def _shop_client(self, merchant_id: str) -> ShopPort:
        from shopwarden.platforms.shop import shop_client_for

        return shop_client_for(self.engine, merchant_id, self.settings, transport=self.transport, clock=self.clock)

    def _ads_client(self, merchant_id: str) -> AdsPort:
        from shopwarden.platforms.ads import ads_client_for

        http_client = httpx.Client(transport=self.transport) if self.transport is not None else None
        return ads_client_for(self.engine, merchant_id, self.settings, http_client=http_client, clock=self.clock,
                              transport=self.transport)

    def _creative_reader(self) -> CreativePort:
        from shopwarden.platforms.creative_center import CreativeReader

        transport = self.transport
        if transport is None and self.settings.creative_sources_base:
            from shopwarden.platforms.creative_center.rebase import RebasedTransport

            transport = RebasedTransport(self.settings.creative_sources_base)
        clock = self.clock  # the one clock: client-token expiry is judged on the platform's time
        return CreativeReader(self.settings, transport=transport, token_clock=lambda: clock().timestamp())


# The person at the command line: `shopwarden sync` reads the platform through the gate like any agent,
# so every platform call is audited; this identity may only refresh the local caches.
OPERATOR = AgentSpec(id="operator:cli", role="the operator at the command line",
                     allowed_tools=["sync_catalog", "sync_orders"])


def build_runtime(settings: Settings | None = None, *, simulator: Any = None) -> Runtime:
    """Engine, vault, policy engine, adapter factories and gate, wired once."""
    settings = settings or get_settings()
    if simulator is None and settings.simulator_state is not None:
        from shopwarden.platforms.simulator import Simulator

        simulator = Simulator.from_saved(settings.simulator_state)
    elif simulator is None and settings.simulator:
        simulator = _scenario_simulator(settings)
    return Runtime(
        settings=settings,
        engine=engine_for(settings.effective_database_url),
        vault=get_vault(),
        policy=load_engine(settings),
        agent_specs={**load_agent_specs(), OPERATOR.id: OPERATOR},
        clock=simulator.now if simulator is not None else clock_for(settings.simulator_url),
        transport=simulator.transport() if simulator is not None else None,
        simulator=simulator,
    )


def _scenario_simulator(settings: Settings) -> Any:
    from shopwarden.platforms.simulator import Simulator
    from shopwarden.platforms.simulator.scenario import find_scenario

    return Simulator.from_scenario(find_scenario(settings.scenario or "small_shop"))
