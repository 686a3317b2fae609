"""One faithful simulator of TikTok Shop, the Business API behind Composio, and the public
creative sources: an httpx transport for in-process use and an ASGI app for real HTTP.

    sim = Simulator.from_scenario("evals/scenarios/small_shop.yaml", seed=0)
    client = httpx.Client(transport=sim.transport())
"""

# Names resolve on first use (PEP 562): `simulator.scenario` alone (e.g. to find a scenario file) does not
# load the surfaces, which pull in the Ads adapter and its Composio client.

from __future__ import annotations

from typing import TYPE_CHECKING

from shopwarden.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from shopwarden.platforms.simulator.context import RecordedRequest
    from shopwarden.platforms.simulator.faults import FAULT_KINDS, FaultKind, FaultPlan, FaultRule
    from shopwarden.platforms.simulator.response_model import Delivery, Draws, deliver
    from shopwarden.platforms.simulator.scenario import Scenario, ScenarioError, load_scenario
    from shopwarden.platforms.simulator.simulator import SimCredentials, Simulator
    from shopwarden.platforms.simulator.transport import SimulatorTransport

_EXPORTS = {
    "FAULT_KINDS": "faults",
    "Delivery": "response_model",
    "Draws": "response_model",
    "FaultKind": "faults",
    "FaultPlan": "faults",
    "FaultRule": "faults",
    "RecordedRequest": "context",
    "Scenario": "scenario",
    "ScenarioError": "scenario",
    "SimCredentials": "simulator",
    "Simulator": "simulator",
    "SimulatorTransport": "transport",
    "deliver": "response_model",
    "load_scenario": "scenario",
}

__all__ = [
    "FAULT_KINDS",
    "Delivery",
    "Draws",
    "FaultKind",
    "FaultPlan",
    "FaultRule",
    "RecordedRequest",
    "Scenario",
    "ScenarioError",
    "SimCredentials",
    "Simulator",
    "SimulatorTransport",
    "deliver",
    "load_scenario",
]
__getattr__ = lazy_exports(__name__, _EXPORTS)
