"""One faithful simulator of TikTok Shop, the Business API behind Composio, and the public
creative sources: an httpx transport for in-process use and an ASGI app for real HTTP.

    sim = Simulator.from_scenario("evals/scenarios/small_shop.yaml", seed=0)
    client = httpx.Client(transport=sim.transport())
"""

from shopwarden.platforms.simulator.context import RecordedRequest
from shopwarden.platforms.simulator.faults import FAULT_KINDS, FaultKind, FaultPlan, FaultRule
from shopwarden.platforms.simulator.response_model import Delivery, Draws, deliver
from shopwarden.platforms.simulator.scenario import Scenario, ScenarioError, load_scenario
from shopwarden.platforms.simulator.simulator import SimCredentials, Simulator
from shopwarden.platforms.simulator.transport import SimulatorTransport

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
