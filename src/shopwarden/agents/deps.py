"""What a growth cycle needs from the rest of shopwarden, chosen once by the caller."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.engine import Engine

from shopwarden.agents.specs import AgentSpec
from shopwarden.config import Settings
from shopwarden.gate.calls import ToolCall, ToolResult

if TYPE_CHECKING:
    from shopwarden.agents.strategies.base import Strategy
    from shopwarden.runtime import Runtime

GROWTH = "growth_marketer"
CREATIVE = "creative"
DEFAULT_MAX_DENIALS = 3
DEFAULT_MAX_TURNS = 4
ORDER_WINDOW_DAYS = 7


class GateLike(Protocol):
    """The two gate entry points a cycle uses (the real `shopwarden.gate.Gate`, or a test fake)."""

    async def call(self, call: ToolCall) -> ToolResult: ...

    async def execute_approved(self, approval_id: int) -> ToolResult: ...


@dataclass
class CycleDeps:
    gate: GateLike
    engine: Engine
    specs: Mapping[str, AgentSpec]
    strategies: Mapping[str, Strategy]
    data_dir: Path
    default_limits: Mapping[str, Any] = field(default_factory=dict)

    def spec(self, agent_id: str) -> AgentSpec:
        return self.specs[agent_id]

    def max_denials(self, agent_id: str) -> int:
        return int(self.specs[agent_id].default_limits.get("max_denials_per_tool", DEFAULT_MAX_DENIALS))

    def max_turns(self, agent_id: str) -> int:
        return int(self.specs[agent_id].default_limits.get("max_turns", DEFAULT_MAX_TURNS))


def rule_strategies() -> dict[str, Strategy]:
    from shopwarden.agents.strategies import CreativeRules, GrowthRules

    return {GROWTH: GrowthRules(), CREATIVE: CreativeRules()}


def strategies_from_settings(settings: Settings) -> dict[str, Strategy]:
    """SHOPWARDEN_MODEL set -> both agents on that chat model; otherwise the rules."""
    entry_point = settings.model
    if not entry_point:
        return rule_strategies()
    from shopwarden.agents.strategies import LLMStrategy, load_model

    strategy = LLMStrategy(load_model(entry_point))
    return {GROWTH: strategy, CREATIVE: strategy}


def deps_from_runtime(runtime: Runtime, strategies: Mapping[str, Strategy] | None = None) -> CycleDeps:
    from shopwarden.policy import default_limits

    return CycleDeps(gate=runtime.gate, engine=runtime.engine, specs=runtime.agent_specs,
                     strategies=strategies or strategies_from_settings(runtime.settings),
                     data_dir=runtime.settings.data_dir,
                     default_limits=default_limits())
