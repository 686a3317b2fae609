"""The gate: the one path every tool call takes (`pipeline`), its call/result types (`calls`), the
results it builds (`results`) and crash recovery for approved actions (`recovery`)."""

# Names resolve lazily (PEP 562): importing one submodule, e.g. `shopwarden.gate.pipeline`,
# does not import its siblings, so the package adds no import cycles. Modules inside the package
# import each other by submodule; this façade is for other packages.

from __future__ import annotations

from typing import TYPE_CHECKING

from shopwarden.lazy_exports import lazy_exports

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


__getattr__ = lazy_exports(__name__, _EXPORTS)
