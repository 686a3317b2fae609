"""The PolicyEngine protocol and the one place that chooses the engine at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from shopwarden.config import Settings
from shopwarden.policy.bundle import PolicyBundle, default_policies_dir
from shopwarden.policy.contract import Decision, PolicyInput


@runtime_checkable
class PolicyEngine(Protocol):
    """Decides one tool call. Thread-safe; never raises on bad input (it denies instead)."""

    @property
    def version(self) -> str:
        """The policy bundle hash recorded with every decision."""
        ...

    def decide(self, policy_input: PolicyInput | dict[str, Any]) -> Decision: ...


def load_engine(settings: Settings, policies_dir: Path | None = None) -> PolicyEngine:
    """OpaServerEngine when SHOPWARDEN_OPA_URL is set, else the embedded engine SHOPWARDEN_POLICY_ENGINE names
    (RegorusEngine by default, EmbeddedEngine for regopy); PolicyLoadError on a broken file."""
    from shopwarden.policy.embedded import EmbeddedEngine  # each engine loads its own native library
    from shopwarden.policy.opa_server import OpaServerEngine
    from shopwarden.policy.regorus_vm import RegorusEngine

    root = Path(policies_dir) if policies_dir is not None else default_policies_dir()
    bundle = PolicyBundle.load(root)
    if settings.opa_url:
        token = settings.opa_token.get_secret_value() if settings.opa_token else None
        return OpaServerEngine(settings.opa_url, bundle, token=token)
    if settings.policy_engine == "regopy":
        return EmbeddedEngine(bundle)
    return RegorusEngine(bundle)
