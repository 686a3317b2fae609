"""Policy decisions for every tool call: Rego policies in policies/, evaluated embedded or by OPA.

    engine = load_engine(settings)         # the settings the composition root built
    decision = engine.decide(policy_input)   # allow | require_approval | deny, with reasons
"""

# Names resolve lazily (PEP 562): importing `shopwarden.policy.stricter` or `.bundle` does not load
# the engines (regopy, regorus, the OPA client and aiohttp), which commands that decide nothing never need.

from __future__ import annotations

from typing import TYPE_CHECKING

from shopwarden.errors import PolicyLoadError
from shopwarden.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from shopwarden.policy.bundle import PolicyBundle, default_limits
    from shopwarden.policy.contract import AgentContext, Decision, MerchantContext, PolicyInput
    from shopwarden.policy.embedded import EmbeddedEngine
    from shopwarden.policy.engine import PolicyEngine, load_engine
    from shopwarden.policy.opa_server import OpaServerEngine
    from shopwarden.policy.regorus_vm import RegorusEngine
    from shopwarden.policy.stricter import stricter_autonomy, stricter_limits

_EXPORTS = {
    "AgentContext": "contract",
    "Decision": "contract",
    "EmbeddedEngine": "embedded",
    "MerchantContext": "contract",
    "OpaServerEngine": "opa_server",
    "PolicyBundle": "bundle",
    "PolicyEngine": "engine",
    "PolicyInput": "contract",
    "RegorusEngine": "regorus_vm",
    "default_limits": "bundle",
    "load_engine": "engine",
    "stricter_autonomy": "stricter",
    "stricter_limits": "stricter",
}
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
__getattr__ = lazy_exports(__name__, _EXPORTS)
