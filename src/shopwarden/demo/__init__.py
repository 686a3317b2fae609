"""`make demo`: cycles against the simulator (`run`), then a scripted misbehaving model (`misbehaving`)."""

# Names resolve lazily (PEP 562): importing one submodule, e.g. `shopwarden.demo.run`,
# does not import its siblings, so the package adds no import cycles. Modules inside the package
# import each other by submodule; this façade is for other packages.

from __future__ import annotations

from typing import TYPE_CHECKING

from shopwarden.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from shopwarden.demo.misbehaving import misbehaving_strategies
    from shopwarden.demo.run import DemoResult, run_demo

_EXPORTS = {
    "DemoResult": "run",
    "run_demo": "run",
    "misbehaving_strategies": "misbehaving",
}

__all__ = ["DemoResult", "misbehaving_strategies", "run_demo"]


__getattr__ = lazy_exports(__name__, _EXPORTS)
