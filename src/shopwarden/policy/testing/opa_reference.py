"""OPA itself, in-process, as the reference engine for tests and benchmarks (never a runtime dependency).

It uses opa-golib-python-bindings 0.4.4 (OPA 1.20 built as a Go shared library behind ctypes). The
package declares Python >= 3.14 but works on 3.11; `make test` installs it with
`pip install --no-deps --ignore-requires-python` (see the Makefile), so nothing at runtime imports it.

    engine = OpaReferenceEngine(bundle)         # a PolicyEngine, like EmbeddedEngine
    results = run_rego_tests(bundle)            # the test_* rules, evaluated by OPA
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from shopwarden.errors import PolicyLoadError
from shopwarden.policy.bundle import DECISION_REF, PolicyBundle
from shopwarden.policy.contract import Decision, PolicyInput, decision_from_result, prepare
from shopwarden.policy.testing.rego_tests import RegoTestResult, discover

if TYPE_CHECKING:
    import opa_bindings

OPA_PACKAGE = "opa-golib-python-bindings==0.4.4"
INSTALL_HINT = (f"OPA's evaluator is not installed: run `make test` (or `pip install --no-deps "
                f"--ignore-requires-python '{OPA_PACKAGE}'`)")


def opa_engine(sources: dict[str, str], data: dict[str, Any]) -> opa_bindings.OpaEngine:
    """A fresh in-process OPA holding these modules and data; PolicyLoadError when OPA refuses them."""
    try:
        import opa_bindings
    except ImportError:
        raise PolicyLoadError(INSTALL_HINT) from None
    engine = opa_bindings.OpaEngine()
    try:
        for name, text in sources.items():
            engine.add_policy(name, text)
        engine.add_data(data)
        # OPA compiles lazily; one query makes a broken module fail here, not at the first decision.
        engine.eval_query("true")
    except opa_bindings.OpaError as exc:
        engine.close()
        raise PolicyLoadError(f"OPA refused the policies: {exc.message[:500]}") from None
    return engine


def evaluate(engine: opa_bindings.OpaEngine, dotted_path: str, input_document: Any) -> tuple[bool, Any]:
    """(defined, value) of data.<dotted_path>; OPA returns the value already decoded from its JSON."""
    import opa_bindings

    try:
        return True, engine.eval_document(dotted_path, input_document)
    except opa_bindings.OpaUndefinedError:
        return False, None


class OpaReferenceEngine:
    """data.shopwarden.main.decision evaluated by OPA 1.20 in-process; the same contract as every engine."""

    def __init__(self, bundle: PolicyBundle) -> None:
        self._bundle = bundle
        self._engine = opa_engine(bundle.sources(), bundle.data_with_version())
        self._path = DECISION_REF.removeprefix("data.")
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        return self._bundle.version

    def decide(self, policy_input: PolicyInput | dict[str, Any]) -> Decision:
        import opa_bindings

        document = prepare(policy_input, self.version)
        if isinstance(document, Decision):
            return document
        try:
            with self._lock:
                defined, value = evaluate(self._engine, self._path, document)
        except opa_bindings.OpaError as exc:
            return Decision.fail_closed(f"the policy could not be evaluated: {exc.message[:300]}", "engine.error",
                                        self.version)
        return decision_from_result(value if defined else None, self.version)

    def close(self) -> None:
        self._engine.close()


def run_rego_tests(bundle: PolicyBundle) -> list[RegoTestResult]:
    """Every test_* rule evaluated by OPA, like `opa test`: only `true` passes."""
    import opa_bindings

    tests = discover(bundle)
    engine = opa_engine(bundle.sources(with_tests=True), bundle.data_with_version())
    results = []
    try:
        for test in tests:
            try:
                defined, value = evaluate(engine, test.ref.removeprefix("data."), None)
            except opa_bindings.OpaError as exc:
                results.append(RegoTestResult(test, False, exc.message[:500]))
                continue
            if defined and value is True:
                results.append(RegoTestResult(test, True))
            else:
                detail = "undefined: a condition in the test was false" if not defined else f"gave {value!r}"
                results.append(RegoTestResult(test, False, detail))
    finally:
        engine.close()
    return results
