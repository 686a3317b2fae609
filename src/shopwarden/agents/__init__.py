"""The growth cycle: Growth Marketer and Creative agents as one LangGraph graph, and the agent specs.

    deps = deps_from_runtime(build_runtime())
    summary = await run_cycle(deps, "m_glow")
    summary = await resume_cycle(deps, summary.run_id)      # after a reviewer decided
"""

# Names resolve lazily (PEP 562): importing one submodule, e.g. `shopwarden.agents.specs`,
# does not import its siblings, so the package adds no import cycles. Modules inside the package
# import each other by submodule; this façade is for other packages.

from __future__ import annotations

from typing import TYPE_CHECKING

from shopwarden.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from shopwarden.agents.cycle import (
        SlotTaken,
        continue_interrupted,
        new_run_id,
        resume_cycle,
        resume_decided,
        run_cycle,
    )
    from shopwarden.agents.deps import CREATIVE, GROWTH, CycleDeps, GateLike, deps_from_runtime, rule_strategies
    from shopwarden.agents.graph import build_cycle_graph
    from shopwarden.agents.specs import AgentSpec, load_agent_specs
    from shopwarden.agents.summary import ActionLine, CycleSummary

_EXPORTS = {
    "SlotTaken": "cycle",
    "continue_interrupted": "cycle",
    "new_run_id": "cycle",
    "resume_cycle": "cycle",
    "resume_decided": "cycle",
    "run_cycle": "cycle",
    "CREATIVE": "deps",
    "GROWTH": "deps",
    "CycleDeps": "deps",
    "GateLike": "deps",
    "deps_from_runtime": "deps",
    "rule_strategies": "deps",
    "build_cycle_graph": "graph",
    "AgentSpec": "specs",
    "load_agent_specs": "specs",
    "ActionLine": "summary",
    "CycleSummary": "summary",
}

__all__ = [
    "CREATIVE",
    "GROWTH",
    "ActionLine",
    "AgentSpec",
    "CycleDeps",
    "CycleSummary",
    "GateLike",
    "SlotTaken",
    "build_cycle_graph",
    "continue_interrupted",
    "deps_from_runtime",
    "load_agent_specs",
    "new_run_id",
    "resume_cycle",
    "resume_decided",
    "rule_strategies",
    "run_cycle",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
