"""The real stack for cycle tests: simulator, runtime (real gate, embedded policies), seeded merchant."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shopwarden.agents import CycleDeps, deps_from_runtime
from shopwarden.config import get_settings
from shopwarden.evals.setup import seed_merchant
from shopwarden.platforms.simulator import Simulator
from shopwarden.runtime import Runtime, build_runtime
from shopwarden.security.connections import reset_vault_cache

MERCHANT = "m_glow"
ADVERTISER = "7000000000000000001"
WINNER, LOSER = "1800000000000000001", "1800000000000000002"
WINNER_ADGROUP = "1810000000000000001"  # its budget (100, under the campaign's 120) is the one that binds


@dataclass
class Stack:
    sim: Simulator
    runtime: Runtime
    data_dir: Path

    def deps(self, strategies: dict[str, Any] | None = None) -> CycleDeps:
        return deps_from_runtime(self.runtime, strategies)

    def restarted(self) -> Stack:
        """A new runtime (gate, policy engine, adapters) on the same database and platform: a process restart."""
        return Stack(self.sim, build_runtime(simulator=self.sim), self.data_dir)

    def mutations(self, endpoint: str, object_id: str = "") -> list[Any]:
        """Business API writes to `endpoint` (e.g. 'campaign/update/') that the platform applied."""
        return [r for r in self.sim.requests if _upstream_write(r, endpoint) and object_id in str(r.body)]


def _upstream_write(request: Any, endpoint: str) -> bool:
    """The proxied call as the Business API saw it (not Composio's envelope around it)."""
    return (request.method == "POST" and request.path.endswith("/" + endpoint) and request.fault is None
            and request.code in (0, None) and request.status in (200, None))


def point_at(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in sim.credentials.settings_env().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    reset_vault_cache()


async def make_stack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *, autonomy: str = "guarded",
                     days: float = 3, scenario: str = "small_shop", **seed: Any) -> Stack:
    sim = Simulator.from_scenario(scenario, seed=7)
    point_at(sim, monkeypatch)
    runtime = build_runtime(simulator=sim)
    # The scenario's winner has about six days of stock after three days of sales; a merchant who
    # keeps three days of cover lets the Growth Marketer raise it (the default of seven would not).
    seed.setdefault("limits", {"restock_days_of_cover": 3})
    await seed_merchant(runtime, autonomy=autonomy, **seed)
    sim.advance(days=days)
    return Stack(sim, runtime, tmp_path / "data")
