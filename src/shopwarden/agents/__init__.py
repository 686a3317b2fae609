"""The growth cycle: Growth Marketer and Creative agents as one LangGraph graph.

    deps = deps_from_runtime(build_runtime())
    summary = await run_cycle(deps, "m_glow")
    summary = await resume_cycle(deps, summary.run_id)      # after a reviewer decided
"""

from shopwarden.agents.cycle import SlotTaken, new_run_id, resume_cycle, resume_decided, run_cycle
from shopwarden.agents.deps import CREATIVE, GROWTH, CycleDeps, GateLike, deps_from_runtime, rule_strategies
from shopwarden.agents.graph import build_cycle_graph
from shopwarden.agents.summary import ActionLine, CycleSummary

__all__ = [
    "CREATIVE",
    "GROWTH",
    "ActionLine",
    "CycleDeps",
    "CycleSummary",
    "GateLike",
    "SlotTaken",
    "build_cycle_graph",
    "deps_from_runtime",
    "new_run_id",
    "resume_cycle",
    "resume_decided",
    "rule_strategies",
    "run_cycle",
]
