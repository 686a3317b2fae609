"""The gate: the one path every tool call takes (`pipeline`), its call/result types (`calls`), the
results it builds (`results`) and crash recovery for approved actions (`recovery`)."""

# Names resolve lazily (PEP 562): importing one submodule, e.g. `shopwarden.gate.pipeline`,
# does not import its siblings, so the package adds no import cycles. Modules inside the package
# import each other by submodule; this façade is for other packages.

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shopwarden.gate.calls import Outcome, ToolCall, ToolResult
    from shopwarden.gate.pipeline import CROSS_TENANT, Gate, MerchantFacts

_EXPORTS = {
    "Gate": "pipeline",
    "MerchantFacts": "pipeline",
    "CROSS_TENANT": "pipeline",
    "Outcome": "calls",
    "ToolCall": "calls",
    "ToolResult": "calls",
}

__all__ = ["CROSS_TENANT", "Gate", "MerchantFacts", "Outcome", "ToolCall", "ToolResult"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
