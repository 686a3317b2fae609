"""Fault injection per endpoint: latency, 5xx, rate limits, malformed bodies and timeouts.

A rule matches a request path by glob (`fnmatch`), optionally a method, and fires for
the next `times` matching requests (every one when `times` is None). Through the
Composio proxy the rule is matched against the proxied Business API path too.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal, get_args

FaultKind = Literal["latency", "server_error", "rate_limit", "malformed", "timeout", "timeout_after_commit"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)


@dataclass
class FaultRule:
    path_glob: str
    kind: FaultKind
    times: int | None = None
    seconds: float = 0.0
    method: str | None = None
    retry_after: int = 1
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return fnmatchcase(path, self.path_glob)


class FaultPlan:
    """The active fault rules, first match wins."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []

    def add(self, path_glob: str, kind: FaultKind, *, times: int | None = None, seconds: float = 0.0,
            method: str | None = None, retry_after: int = 1) -> FaultRule:
        """Inject `kind` on requests whose path matches `path_glob` (the next `times` of them)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; choose one of {', '.join(FAULT_KINDS)}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for every request)")
        rule = FaultRule(path_glob=path_glob, kind=kind, times=times, seconds=seconds, method=method,
                         retry_after=retry_after)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def take(self, method: str, path: str) -> FaultRule | None:
        """The rule that fires for this request (counted as fired), if any."""
        for rule in self.rules:
            if rule.matches(method, path):
                rule.fired += 1
                return rule
        return None
