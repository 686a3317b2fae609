"""Fixtures for the policy tests: the shipped policies folder, engines over it, the OPA stand-in."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from policy_inputs import budget_input  # noqa: F401  (re-exported for older tests)

from shopwarden.policy import EmbeddedEngine, OpaServerEngine, PolicyBundle
from shopwarden.policy.regorus_vm import RegorusEngine
from shopwarden.policy.testing.opa_reference import OpaReferenceEngine
from shopwarden.policy.testing.opa_standin import OpaStandin

POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"


@pytest.fixture(scope="session")
def policy_bundle() -> PolicyBundle:
    return PolicyBundle.load(POLICIES_DIR)


@pytest.fixture(scope="session")
def embedded_engine(policy_bundle: PolicyBundle) -> EmbeddedEngine:
    return EmbeddedEngine(policy_bundle)


@pytest.fixture(scope="session")
def regorus_engine(policy_bundle: PolicyBundle) -> RegorusEngine:
    return RegorusEngine(policy_bundle)


@pytest.fixture(scope="session")
def opa_standin() -> Iterator[OpaStandin]:
    with OpaStandin() as server:
        yield server


@pytest.fixture(scope="session")
def opa_engine(opa_standin: OpaStandin, policy_bundle: PolicyBundle) -> Iterator[OpaServerEngine]:
    engine = OpaServerEngine(opa_standin.url, policy_bundle, timeout=5.0)
    engine.push()
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def opa_reference(policy_bundle: PolicyBundle) -> Iterator[OpaReferenceEngine]:
    """OPA 1.20 itself, in-process (installed by `make test`; no skip: OPA is the reference)."""
    engine = OpaReferenceEngine(policy_bundle)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def opa_server_on_opa(policy_bundle: PolicyBundle) -> Iterator[OpaServerEngine]:
    """The OPA server engine over real HTTP, pushed to a server that evaluates with OPA's own evaluator."""
    with OpaStandin(evaluator="opa") as server:
        engine = OpaServerEngine(server.url, policy_bundle, timeout=5.0)
        engine.push()
        yield engine
        engine.close()


@pytest.fixture
def policies_copy(tmp_path: Path) -> Path:
    """A writable copy of policies/ to break on purpose."""
    return Path(shutil.copytree(POLICIES_DIR, tmp_path / "policies"))
