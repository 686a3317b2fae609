"""Scenario evaluation: the runner behind `shopwarden eval` (`runner`) and the set-up it shares with the
demo (`setup`: settings for a fresh data dir, a seeded merchant connected to the simulator)."""

# Names resolve lazily (PEP 562): importing one submodule, e.g. `shopwarden.evals.runner`,
# does not import its siblings, so the package adds no import cycles. Modules inside the package
# import each other by submodule; this façade is for other packages.

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shopwarden.evals.runner import EvalReport, MarketTotals, evaluate
    from shopwarden.evals.setup import REVIEWER, Seeded, point_settings_at, prepare_environment, seed_merchant

_EXPORTS = {
    "EvalReport": "runner",
    "MarketTotals": "runner",
    "evaluate": "runner",
    "REVIEWER": "setup",
    "Seeded": "setup",
    "point_settings_at": "setup",
    "prepare_environment": "setup",
    "seed_merchant": "setup",
}

__all__ = [
    "REVIEWER",
    "EvalReport",
    "MarketTotals",
    "Seeded",
    "evaluate",
    "point_settings_at",
    "prepare_environment",
    "seed_merchant",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
