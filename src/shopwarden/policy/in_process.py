"""What the two in-process engines share: one loaded bundle, its version, and a `decide` that
turns any evaluation failure into a recorded deny. Each engine supplies only how it evaluates."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Self

from shopwarden.policy.bundle import PolicyBundle
from shopwarden.policy.contract import Decision, PolicyInput, decision_from_result, prepare


class InProcessEngine:
    # What a failed evaluation may raise; anything else is a bug and propagates.
    evaluation_errors: ClassVar[tuple[type[BaseException], ...]] = (Exception,)

    def __init__(self, bundle: PolicyBundle) -> None:
        self._bundle = bundle

    @classmethod
    def from_dir(cls, policies_dir: Path) -> Self:
        return cls(PolicyBundle.load(policies_dir))

    @property
    def version(self) -> str:
        return self._bundle.version

    @property
    def bundle(self) -> PolicyBundle:
        return self._bundle

    def decide(self, policy_input: PolicyInput | dict[str, Any]) -> Decision:
        document = prepare(policy_input, self.version)
        if isinstance(document, Decision):
            return document
        try:
            result = self._evaluate(document)
        except self.evaluation_errors as exc:
            reason = f"the policy could not be evaluated: {self._describe(exc)[:300]}"
            return Decision.fail_closed(reason, "engine.error", self.version)
        return decision_from_result(result, self.version)

    def _evaluate(self, document: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _describe(self, exc: BaseException) -> str:
        return str(exc)
