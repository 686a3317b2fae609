"""Policy decisions for every tool call: Rego policies in policies/, evaluated embedded or by OPA.

    engine = load_engine()
    decision = engine.decide(policy_input)   # allow | require_approval | deny, with reasons
"""

from shopwarden.errors import PolicyLoadError
from shopwarden.policy.bundle import PolicyBundle, default_limits
from shopwarden.policy.contract import AgentContext, Decision, MerchantContext, PolicyInput
from shopwarden.policy.embedded import EmbeddedEngine
from shopwarden.policy.engine import PolicyEngine, load_engine
from shopwarden.policy.opa_server import OpaServerEngine
from shopwarden.policy.regorus_vm import RegorusEngine
from shopwarden.policy.stricter import stricter_autonomy, stricter_limits

__all__ = [
    "AgentContext",
    "Decision",
    "EmbeddedEngine",
    "MerchantContext",
    "OpaServerEngine",
    "PolicyBundle",
    "PolicyEngine",
    "PolicyInput",
    "PolicyLoadError",
    "RegorusEngine",
    "default_limits",
    "load_engine",
    "stricter_autonomy",
    "stricter_limits",
]
