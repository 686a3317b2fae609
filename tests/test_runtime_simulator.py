"""SHOPWARDEN_SIMULATOR=true without SHOPWARDEN_SCENARIO uses the shipped small_shop scenario."""

from __future__ import annotations

from shopwarden.config import Settings
from shopwarden.platforms.simulator.scenario import find_scenario, load_scenario
from shopwarden.runtime import build_runtime


def test_the_in_process_simulator_defaults_to_small_shop(sqlite_url: str) -> None:
    runtime = build_runtime(Settings(simulator=True))
    assert runtime.simulator is not None
    assert runtime.simulator.scenario.name == load_scenario(find_scenario("small_shop")).name
    assert runtime.clock() == runtime.simulator.now()


def test_the_runtime_hands_its_gate_the_settings_approval_ttl(sqlite_url: str) -> None:
    from datetime import timedelta

    runtime = build_runtime(Settings(simulator=True, approval_ttl_hours=2))
    assert runtime.gate._approval_ttl == timedelta(hours=2)
