"""The gate's package-internal API: what `gate.recovery` may use of `pipeline.Gate`, named here so that
recovery never reaches into the gate's private attributes (and recovery need not import the pipeline)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy.engine import Engine

from shopwarden.db.models import Approval
from shopwarden.gate.calls import ToolCall, ToolResult
from shopwarden.tools import AppliedChange, Tool, ToolContext

T = TypeVar("T")


class GateInternals(Protocol):
    """Implemented by `pipeline.Gate`; used by `gate.recovery`."""

    @property
    def engine(self) -> Engine: ...

    def tool_named(self, name: str) -> Tool | None: ...

    def tool_context(self, merchant_id: str) -> ToolContext: ...

    async def off_loop(self, work: Callable[..., T], *args: Any) -> T: ...

    async def run_claimed(self, approval: Approval) -> ToolResult: ...

    async def record_settled(self, call: ToolCall, tool: Tool | None, approval_id: int | None, result: ToolResult,
                             effect: AppliedChange | None, *, finish: dict[str, Any] | None = None) -> ToolResult: ...
