"""What an agent hands the gate and what it gets back.

These two models are the whole contract between agents and the gate: an agent never
sees adapters, only `ToolCall` in and `ToolResult` out.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ToolCall(BaseModel):
    """A proposed tool call. `args` is raw: the gate validates it against the tool's model."""

    model_config = ConfigDict(extra="forbid")

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    agent_id: str
    merchant_id: str
    run_id: str = ""
    rationale: str = ""
    # The caller's stable name for this call (a cycle: run/agent/turn/index). A mutating call made again
    # with the same key, tool and arguments (a cycle resumed after a crash re-runs its last step) is
    # answered from its first audit row instead of reaching the platform a second time.
    call_key: str = ""

    def replay_key(self) -> str | None:
        """What the audit row stores to find this call again: the key and a digest of tool and arguments."""
        if not self.call_key:
            return None
        what = json.dumps([self.tool, self.args], sort_keys=True, separators=(",", ":"), default=str)
        return f"{self.call_key[:120]}#{hashlib.sha256(what.encode()).hexdigest()[:32]}"


class Outcome(StrEnum):
    READ = "read"  # a read tool ran
    EXECUTED = "executed"  # a mutation ran on the platform
    PENDING_APPROVAL = "pending_approval"  # queued for a human reviewer
    DENIED = "denied"  # the policy (or the agent's allowlist) refused it
    INVALID = "invalid"  # unknown tool, or the arguments failed validation
    FAILED = "failed"  # allowed, but the platform call failed


class ToolResult(BaseModel):
    """The gate's answer, readable by a person and by an LLM that should correct itself."""

    tool: str
    outcome: Outcome
    data: Any = None
    reasons: list[str] = Field(default_factory=list)
    reason_codes: list[str] = Field(default_factory=list)
    decision: str | None = None
    policy_version: str | None = None
    approval_id: int | None = None
    execution_id: int | None = None
    error: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.READ, Outcome.EXECUTED)

    def for_agent(self) -> dict[str, Any]:
        """A compact, JSON-able view to hand back to the model."""
        return self.model_dump(mode="json", exclude_none=True)
