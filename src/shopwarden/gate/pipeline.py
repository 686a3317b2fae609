"""The gate: the one path every tool call takes.

    validate -> authorize agent -> observe fresh state -> decide -> act -> record

Reads take a fast path (tenancy check from our own tables, no policy evaluation) but are
recorded like everything else. Every outcome, including invalid input and denials, becomes
one `tool_executions` row, and comes back as a `ToolResult` an agent can read and act on.
Approved actions run through `execute_approved`, exactly once (compare-and-set on the
approval row), after a second observe + decide against fresh state.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import uuid
import weakref
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from time import perf_counter
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from shopwarden.agents.specs import AgentSpec
from shopwarden.approvals import queue as approvals
from shopwarden.audit import chain as audit
from shopwarden.db.engine import NO_WAIT, WriteLockBusy, read_only, session_scope
from shopwarden.db.models import Approval, AuditHead, Merchant, ToolExecution
from shopwarden.db.tables import table_of
from shopwarden.domain.limits import effective_limits
from shopwarden.errors import ApprovalConflict, NotFound, PlatformError, ShopwardenError
from shopwarden.gate import bounds as gate_bounds
from shopwarden.gate import recovery
from shopwarden.gate import tenancy as gate_tenancy
from shopwarden.gate.calls import Outcome, ToolCall, ToolResult
from shopwarden.gate.results import denied, failed, invalid_args, summarize, unknown_tool
from shopwarden.policy import Decision, PolicyEngine, stricter_autonomy, stricter_limits
from shopwarden.tools import AppliedChange, Tool, ToolContext, registry
from shopwarden.tools.base import State

log = logging.getLogger(__name__)

CROSS_TENANT = "the shop, ad account or object named in this call belongs to another merchant"
DB_THREADS = 4  # PostgreSQL; SQLite gets one (see Gate.__init__)
POLICY_THREADS = 2
T = TypeVar("T")

_merchants = table_of(Merchant)
_heads = table_of(AuditHead)
# With the merchant, its audit chain's head as it is now: the audit write chains onto it without locking
# it first when no other writer moved it meanwhile (audit.append_execution's expected_head).
_MERCHANT = (select(_merchants.c.id, _merchants.c.autonomy, _merchants.c.limits, _heads.c.seq, _heads.c.row_hash)
             .select_from(_merchants.outerjoin(_heads, _heads.c.merchant_id == _merchants.c.id))
             .where(_merchants.c.id == bindparam("merchant_id")))
_executions = table_of(ToolExecution)
_FIRST_ATTEMPT = (select(_executions.c.id, _executions.c.outcome, _executions.c.decision, _executions.c.reasons,
                         _executions.c.reason_codes, _executions.c.policy_version, _executions.c.approval_id,
                         _executions.c.result_summary)
                  .where(_executions.c.merchant_id == bindparam("merchant_id"),
                         _executions.c.call_key == bindparam("call_key"))
                  .order_by(_executions.c.id).limit(1))
ALREADY_MADE = "not sent again: this cycle already made this call (audit row {row}); its recorded outcome stands"


@dataclass(frozen=True)
class MerchantFacts:
    """What a decision needs to know about the merchant."""

    id: str
    autonomy: str
    limits: dict[str, Any]


@dataclass(frozen=True)
class _OwnTables:
    """What the gate's one read pass over our own tables found, before anything reaches a platform."""

    merchant: MerchantFacts | None  # None: no such merchant (nothing else was read)
    owner: str | None = None  # who owns the resource the call names (Tool.owner)
    refused: ToolResult | None = None  # tenancy: a named resource is not this merchant's
    replayed: ToolResult | None = None  # the call was already made under its call key: what it got then
    ahead: Any = None  # the tool's own read-ahead (Tool.read_ahead), None when it did not run
    head: audit.ChainHead | None = None  # the merchant's audit chain head when the pass read it


class _DeadBeforeCommit(Exception):
    """The connection died before COMMIT was sent: the server rolled the transaction back, a retry is safe."""


@dataclass
class _Pass:
    """What one pass through the gate learned, for the audit row."""

    call: ToolCall
    tool: Tool | None
    started: float = field(default_factory=perf_counter)
    decision: Decision | None = None
    policy_input: dict[str, Any] = field(default_factory=dict)
    approval_id: int | None = None
    effect: AppliedChange | None = None
    new_approval: dict[str, Any] | None = None
    finish: dict[str, Any] | None = None  # an approval's final state, written with its audit row
    input_bytes: int | None = None  # the size of an input too large to keep (the row holds an excerpt)
    reached_platform: bool = False  # a write was sent (its outcome may be unknown): never run it again blindly
    ahead: Any = None  # the tool's read-ahead, handed on to its effect recorder
    head: audit.ChainHead | None = None  # the audit chain's head as the read pass found it (it may move)
    replay_key: str | None = None  # ToolCall.replay_key of a mutating call, looked up and then stored


NOT_SENT = "nothing was sent to the platform; the approval is pending again: approve it to retry"


class Gate:
    """Every tool call, read or write, by any agent, goes through `call` (or `execute_approved`)."""

    def __init__(
        self,
        *,
        engine: Engine,
        policy: PolicyEngine,
        context_for: Callable[[str], ToolContext],
        agent_specs: Mapping[str, AgentSpec],
        default_limits: Mapping[str, Any],
        clock: Callable[[], datetime] | None = None,
        tools: Mapping[str, Tool] | None = None,
        agent_lookup: Callable[[str], AgentSpec | None] | None = None,
        approval_ttl: timedelta = approvals.DEFAULT_TTL,
    ) -> None:
        self._engine = engine
        self._approval_ttl = approval_ttl  # the composition root's approvals.ttl_of(settings)
        self._policy = policy
        self._context_for = context_for
        self._agents = dict(agent_specs)
        # Agents registered at run time (MCP clients), looked up when an id is not among the declared specs.
        self._agent_lookup = agent_lookup or (lambda _agent_id: None)
        self._default_limits = dict(default_limits)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._tools = dict(tools) if tools is not None else registry()
        # Database work and policy evaluation get threads of their own: on the default executor they
        # would queue behind the platform SDK's blocking calls. SQLite takes its write lock at the start
        # of every transaction (BEGIN IMMEDIATE), so parallel transactions would only wait for each other
        # in SQLite's busy handler, which sleeps in steps of milliseconds: one thread serves them better.
        sqlite = engine.dialect.name == "sqlite"
        # SQLite answers the read pass in-process, without a lock (WAL readers never wait for the writer),
        # in less time than a hop to a thread and back takes; PostgreSQL's round trips stay off the loop.
        self._reads_on_loop = sqlite
        # The same for its audit write when the write lock is free (no other connection is writing): the
        # transaction then runs to its end without waiting; when it is not, the write waits on the thread.
        self._no_wait = engine.execution_options(**{NO_WAIT: True}) if sqlite else None
        self._db = ThreadPoolExecutor(max_workers=1 if sqlite else DB_THREADS, thread_name_prefix="shopwarden-gate-db")
        # The embedded engine evaluates one input at a time; its own thread lets it run beside database work.
        self._decider = ThreadPoolExecutor(max_workers=POLICY_THREADS, thread_name_prefix="shopwarden-gate-policy")
        for executor in (self._db, self._decider):
            weakref.finalize(self, executor.shutdown, wait=False)

    async def _off_loop(self, work: Callable[..., T], *args: Any) -> T:
        """Blocking database work on the gate's database threads."""
        return await asyncio.get_running_loop().run_in_executor(self._db, functools.partial(work, *args))

    def _context(self, merchant_id: str) -> ToolContext:
        ctx = self._context_for(merchant_id)
        if ctx.db_executor is None:
            ctx.db_executor = self._db
        return ctx

    # --- the pipeline ----------------------------------------------------------------------

    async def call(self, call: ToolCall) -> ToolResult:
        """Validate, authorize, observe, decide, act and record one proposed tool call."""
        out_of_bounds = gate_bounds.check(call)  # before anything else touches the input
        if out_of_bounds is not None:
            bounded = _Pass(gate_bounds.recordable(call), None, input_bytes=out_of_bounds.input_bytes)
            return await self._record(bounded, gate_bounds.refusal(call, out_of_bounds))
        run = _Pass(call, self._tools.get(call.tool))
        if run.tool is None:
            return await self._record(run, unknown_tool(call.tool, sorted(self._tools)))
        tool = run.tool
        run.replay_key = call.replay_key() if tool.mutating else None  # computed once: looked up, then stored
        try:
            args = tool.args_model.model_validate(call.args)
        except ValidationError as exc:
            return await self._record(run, invalid_args(tool.name, exc))
        agent = self._agents.get(call.agent_id) or self._agent_lookup(call.agent_id)
        if agent is None or tool.name not in agent.allowed_tools:
            reason = (f"agent {call.agent_id} is not allowed to use the tool {tool.name}" if agent
                      else f"agent {call.agent_id} is not a known agent, so it may not use any tool")
            return await self._record(run, denied(tool.name, [reason], ["allowlist.tool_not_allowed"]))
        # Before anything can reach a platform: an unknown merchant's call goes no further.
        own = await self._own_tables(call.merchant_id, tool, args, run.replay_key)
        if own.merchant is None:
            return await self._record(run, _unknown_merchant(tool.name, call.merchant_id))
        if own.replayed is not None:  # its audit row is the record of this call; no second row, no second write
            log.info("%s for %s answered from audit row %s (call key %s)", tool.name, call.merchant_id,
                     own.replayed.execution_id, call.call_key)
            return own.replayed
        run.head = own.head
        if own.refused is not None:
            return await self._record(run, own.refused)
        ctx = self._context(call.merchant_id)
        if not tool.mutating:
            return await self._read(run, tool, args, ctx, own.owner)
        run.ahead = own.ahead
        observed = await self._observe(tool, args, ctx, own.owner, own.ahead)
        return await self._mutate(run, tool, args, ctx, own.merchant, agent, observed)

    async def _read(self, run: _Pass, tool: Tool, args: Any, ctx: ToolContext, owner: str | None) -> ToolResult:
        if owner is not None and owner != run.call.merchant_id:
            return await self._record(run, denied(tool.name, [CROSS_TENANT], ["tenancy.cross_tenant"]))
        observed = await self._observe(tool, args, ctx, owner)
        if isinstance(observed, ToolResult):
            return await self._record(run, observed)
        try:
            data = await tool.execute(ctx, args, _new_key())
        except Exception as exc:
            return await self._record(run, _error_result(tool.name, exc))
        result = ToolResult(tool=tool.name, outcome=Outcome.READ, data=data, decision="allow",
                            reason_codes=["allow.read"], policy_version=self._policy.version)
        return await self._record(run, result)

    async def _mutate(self, run: _Pass, tool: Tool, args: Any, ctx: ToolContext, merchant: MerchantFacts,
                      agent: AgentSpec, observed: State | ToolResult) -> ToolResult:
        decided = await self._decide(run, tool, args, merchant, agent, observed)
        if isinstance(decided, ToolResult):
            return await self._record(run, decided)
        decision, state = decided
        if decision.decision == "deny":
            return await self._record(run, _with_decision(denied(tool.name, decision.reasons, decision.reason_codes),
                                                          decision))
        if decision.decision == "require_approval":
            run.new_approval = {"reasons": decision.reasons, "reason_codes": decision.reason_codes,
                                "policy_version": decision.policy_version}
            result = ToolResult(tool=tool.name, outcome=Outcome.PENDING_APPROVAL, reasons=decision.reasons)
            return await self._record(run, _with_decision(result, decision))
        result = await self._execute(run, tool, args, ctx, state, _new_key())
        return await self._record(run, _with_decision(result, decision))

    async def _observe(self, tool: Tool, args: Any, ctx: ToolContext, owner: str | None,
                       ahead: Any = None) -> State | ToolResult:
        """The tool's fresh state, with the named resource's owner first; a platform error as a result."""
        try:
            if ahead is not None and tool.read_ahead is not None:
                state = await tool.read_ahead.observe(ctx, args, ahead)
            else:
                state = await tool.observe(ctx, args)
        except ShopwardenError as exc:
            return _error_result(tool.name, exc)
        return state if owner is None else {"resource_merchant_id": owner, **state}

    async def _decide(self, run: _Pass, tool: Tool, args: Any, merchant: MerchantFacts, agent: AgentSpec,
                      observed: State | ToolResult) -> tuple[Decision, State] | ToolResult:
        if isinstance(observed, ToolResult):
            return observed
        state = observed
        merchants_limits = effective_limits(self._default_limits, agent=agent.default_limits,
                                            merchant=merchant.limits)
        limits = stricter_limits(merchants_limits, agent.limit_ceilings)
        autonomy = stricter_autonomy(merchant.autonomy, agent.autonomy_ceiling)
        run.policy_input = {
            "tool": tool.name,
            "action": tool.action,
            "args": args.model_dump(mode="json", exclude_none=True),
            "now": self._clock().isoformat(),
            "merchant": {"id": merchant.id, "autonomy": autonomy, "limits": limits},
            "agent": {"id": agent.id, "allowed_tools": list(agent.allowed_tools)},
            "state": _jsonable(state),
            "request": _jsonable(tool.build_request(args)),
        }
        # An engine that answers in well under a thread hop (regorus: ~0.2 ms) decides on the loop; others
        # off it: rego-cpp releases the GIL, and an OPA server is a blocking HTTP call.
        if getattr(self._policy, "decides_within_a_hop", False):
            decision = self._policy.decide(run.policy_input)
        else:
            decision = await asyncio.get_running_loop().run_in_executor(
                self._decider, self._policy.decide, run.policy_input)
        # Believe the verdict only when its own reason codes support it (whatever engine gave it).
        run.decision = _believable(decision)
        return run.decision, state

    async def _execute(self, run: _Pass, tool: Tool, args: Any, ctx: ToolContext, state: dict[str, Any],
                       key: str) -> ToolResult:
        run.reached_platform = True
        try:
            data = await tool.execute(ctx, args, key)
        except Exception as exc:
            return _error_result(tool.name, exc)
        if tool.record_effect is not None:
            run.effect = AppliedChange(run.call.merchant_id, args, state, None, run.approval_id, run.ahead)
        return ToolResult(tool=tool.name, outcome=Outcome.EXECUTED, data=data)

    # --- approved actions ------------------------------------------------------------------

    async def execute_approved(self, approval_id: int) -> ToolResult:
        """Run an approved action exactly once; ApprovalConflict when it is not (or no longer) approved."""
        approval = await self._off_loop(approvals.claim_for_execution, self._engine, approval_id)
        if approval is None:
            status = await self._off_loop(self._approval_status, approval_id)
            raise ApprovalConflict(f"approval {approval_id} cannot be executed: it is {status}, not approved")
        return await self._run_claimed(approval)

    async def _run_claimed(self, approval: Approval) -> ToolResult:
        call = ToolCall(tool=approval.tool, args=dict(approval.args), agent_id=approval.agent_id,
                        merchant_id=approval.merchant_id, run_id=approval.run_id, rationale=approval.rationale)
        run = _Pass(call, self._tools.get(approval.tool), approval_id=approval.id)
        result = await self._second_pass(run, approval)
        if result.outcome == Outcome.FAILED and not run.reached_platform:
            # The fresh read (or a setting) failed before anything was sent: a retry is safe, so the
            # approval goes back to pending with the reason instead of ending as `failed`.
            reason = "; ".join(result.reasons)
            await self._off_loop(approvals.release_unsent, self._engine, approval.id, reason)
            return await self._record(run, result.model_copy(update={"reasons": [*result.reasons, NOT_SENT]}))
        ok = result.outcome == Outcome.EXECUTED
        error = None if ok else "; ".join(result.reasons) or json.dumps(result.error)
        run.finish = {"ok": ok, "result": summarize(result.data) if ok else None, "error": error}
        return await self._record(run, result)

    async def _second_pass(self, run: _Pass, approval: Approval) -> ToolResult:
        """Re-observe and re-decide; a fresh deny stops it, allow or require_approval is satisfied by the reviewer."""
        tool = run.tool
        if tool is None:
            return unknown_tool(approval.tool, sorted(self._tools))
        try:
            args = tool.args_model.model_validate(approval.args)
        except ValidationError as exc:
            return invalid_args(tool.name, exc)
        own = await self._own_tables(approval.merchant_id, tool, args, None)
        if own.merchant is None:
            return _unknown_merchant(tool.name, approval.merchant_id)
        if own.refused is not None:
            return own.refused
        agent = (self._agents.get(approval.agent_id) or self._agent_lookup(approval.agent_id)
                 or AgentSpec(id=approval.agent_id))
        ctx = self._context(approval.merchant_id)
        run.ahead = own.ahead
        observed = await self._observe(tool, args, ctx, own.owner, own.ahead)
        decided = await self._decide(run, tool, args, own.merchant, agent, observed)
        if isinstance(decided, ToolResult):
            return decided
        decision, state = decided
        if decision.decision == "deny":
            reasons = [f"not executed: a fresh policy check before execution refused it: {r}" for r in decision.reasons]
            return _with_decision(denied(tool.name, reasons, decision.reason_codes), decision)
        if tool.record_effect is not None:
            await self._off_loop(approvals.note_observed_state, self._engine, approval.id, _jsonable(state))
        result = await self._execute(run, tool, args, ctx, state, approval.idempotency_key)
        reviewer = f"approved by {approval.reviewer}" if approval.reviewer else "approved by a reviewer"
        return _with_decision(result.model_copy(update={"reasons": [reviewer, *decision.reasons]}), decision)

    async def recover_stuck(self, merchant_id: str | None = None, *, older_than: timedelta = timedelta(minutes=5),
                            settled_since: datetime | None = None) -> list[ToolResult]:
        """Resolve approvals left `executing` by a crash: check the platform with the tool's `verify`
        (applied -> executed; not applied -> executed once now; unknown -> failed for a human)."""
        return await recovery.recover_stuck(self, merchant_id, older_than=older_than, settled_since=settled_since)

    # --- the package-internal API gate.recovery uses (internal.GateInternals) ----------

    @property
    def engine(self) -> Engine:
        return self._engine

    def tool_named(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def tool_context(self, merchant_id: str) -> ToolContext:
        return self._context(merchant_id)

    async def off_loop(self, work: Callable[..., T], *args: Any) -> T:
        return await self._off_loop(work, *args)

    async def run_claimed(self, approval: Approval) -> ToolResult:
        """Second pass and execution of an approval this process has claimed."""
        return await self._run_claimed(approval)

    async def record_settled(self, call: ToolCall, tool: Tool | None, approval_id: int | None, result: ToolResult,
                             effect: AppliedChange | None, *, finish: dict[str, Any] | None = None) -> ToolResult:
        """The audit row (and ledger entry, given an effect) for an approval settled without executing it here;
        with `finish`, the approval's final state is written in the same transaction."""
        run = _Pass(call, tool, approval_id=approval_id)
        run.effect = effect
        run.finish = finish
        return await self._record(run, result)

    # --- record ------------------------------------------------------------------------------

    async def _record(self, run: _Pass, result: ToolResult) -> ToolResult:
        duration_ms = (perf_counter() - run.started) * 1000
        written = self._write_without_waiting(run, result, duration_ms)
        if written is None:
            written = await self._off_loop(self._write, run, result, duration_ms)
        execution_id, approval_id = written
        return result.model_copy(update={"execution_id": execution_id, "approval_id": approval_id})

    def _write_without_waiting(self, run: _Pass, result: ToolResult,
                               duration_ms: float) -> tuple[int | None, int | None] | None:
        """SQLite: the write on the loop when the write lock is free at once; None when it is not (or not SQLite)."""
        if self._no_wait is None:
            return None
        try:
            with session_scope(self._no_wait) as session:
                return self._write_in(session, run, result, duration_ms)
        except WriteLockBusy:
            return None

    def _write(self, run: _Pass, result: ToolResult, duration_ms: float) -> tuple[int | None, int | None]:
        # A pooled connection is not pinged before every use (db.engine): one that turns out dead before
        # COMMIT was sent gets one retry on a fresh connection; a failure at COMMIT itself is not retried.
        try:
            return self._write_once(run, result, duration_ms)
        except _DeadBeforeCommit:
            return self._write_once(run, result, duration_ms)

    def _write_once(self, run: _Pass, result: ToolResult, duration_ms: float) -> tuple[int | None, int | None]:
        with session_scope(self._engine) as session:
            try:
                return self._write_in(session, run, result, duration_ms)
            except DBAPIError as exc:
                if exc.connection_invalidated:
                    raise _DeadBeforeCommit() from exc
                raise

    def _write_in(self, session: Session, run: _Pass, result: ToolResult,
                  duration_ms: float) -> tuple[int | None, int | None]:
        call, tool = run.call, run.tool
        approval_id = run.approval_id
        if run.finish is not None and approval_id is not None:
            # One transaction: a crash cannot leave an executed change without its audit row or ledger entry.
            approvals.finish_execution_in(session, approval_id, **run.finish)
        if run.new_approval is not None:
            approval = approvals.create_approval(
                session, merchant_id=call.merchant_id, run_id=call.run_id, agent_id=call.agent_id,
                tool=call.tool, args=call.args, rationale=call.rationale, requested_by=call.agent_id,
                ttl=self._approval_ttl, **run.new_approval,
            )
            approval_id = approval.id
        error = result.error or {}
        entry = audit.AuditEntry(
            merchant_id=call.merchant_id, agent_id=call.agent_id, run_id=call.run_id, tool=call.tool,
            surface=tool.surface if tool else "", mutating=tool.mutating if tool else False,
            args=call.args, input_bytes=run.input_bytes if run.input_bytes is not None
            else len(json.dumps(call.args, default=str).encode()),
            decision=result.decision, reasons=result.reasons, reason_codes=result.reason_codes,
            policy_version=result.policy_version, policy_input=run.policy_input, approval_id=approval_id,
            duration_ms=duration_ms, outcome=result.outcome.value,
            error_code=None if error.get("code") is None else str(error["code"]),
            platform_request_id=error.get("request_id"), result_summary=summarize(result.data),
            rationale=call.rationale or None, call_key=run.replay_key,
        )
        row_id = audit.append_execution(session, entry, expected_head=run.head)
        if run.effect is not None and tool is not None and tool.record_effect is not None:
            effect = AppliedChange(run.effect.merchant_id, run.effect.args, run.effect.state, row_id, approval_id,
                                run.effect.read_ahead)
            tool.record_effect(session, effect)
        return row_id, approval_id

    # --- helpers -----------------------------------------------------------------------------

    async def _own_tables(self, merchant_id: str, tool: Tool, args: Any, replay_key: str | None) -> _OwnTables:
        """The merchant, a repeated call's first outcome, the named resource's owner, tenancy and the tool's
        read-ahead: one pass, no transaction."""
        if self._reads_on_loop:
            return self._read_own_tables(merchant_id, tool, args, replay_key)
        return await self._off_loop(self._read_own_tables, merchant_id, tool, args, replay_key)

    def _read_own_tables(self, merchant_id: str, tool: Tool, args: Any, replay_key: str | None) -> _OwnTables:
        try:
            return self._read_own_tables_once(merchant_id, tool, args, replay_key)
        except DBAPIError as exc:  # a pooled connection that died while idle: reads are safe to repeat
            if not exc.connection_invalidated:
                raise
            return self._read_own_tables_once(merchant_id, tool, args, replay_key)

    def _read_own_tables_once(self, merchant_id: str, tool: Tool, args: Any,
                              replay_key: str | None) -> _OwnTables:
        with read_only(self._engine) as connection:
            row = connection.execute(_MERCHANT, {"merchant_id": merchant_id}).first()
            if row is None:
                return _OwnTables(None)
            merchant = MerchantFacts(row.id, row.autonomy, dict(row.limits or {}))
            head = None if row.seq is None else audit.ChainHead(row.seq, row.row_hash)
            if replay_key is not None:
                first = connection.execute(_FIRST_ATTEMPT, {"merchant_id": merchant_id, "call_key": replay_key}).first()
                if first is not None:
                    return _OwnTables(merchant, replayed=_replayed(tool.name, first))
            owner = tool.owner(connection, args) if tool.owner is not None else None
            refused = gate_tenancy.refusal(connection, merchant_id, args)
            if refused is not None:
                return _OwnTables(merchant, owner, denied(tool.name, [refused[0]], [refused[1]]), head=head)
            return _OwnTables(merchant, owner, ahead=self._read_ahead(connection, merchant_id, tool, args), head=head)

    def _read_ahead(self, connection: Connection, merchant_id: str, tool: Tool, args: Any) -> Any:
        if tool.read_ahead is None or not tool.mutating:
            return None
        return tool.read_ahead.read(connection, self._context(merchant_id), args)

    def _approval_status(self, approval_id: int) -> str:
        with session_scope(self._engine) as session:
            approval = session.get(Approval, approval_id)
            return "unknown" if approval is None else approval.status


def _believable(decision: object) -> Decision:
    """The engine's decision cross-checked against its reason codes; anything not a Decision denies."""
    if not isinstance(decision, Decision):
        return Decision.fail_closed("the policy engine returned no decision", "engine.malformed_decision", "unknown")
    checked = decision.cross_checked()
    if checked is not decision:
        log.warning("policy engine decision contradicted its reason codes: %s", checked.reasons[0])
    return checked


def _replayed(tool: str, first: Any) -> ToolResult:
    """A repeated call's answer: the outcome its first attempt recorded."""
    return ToolResult(tool=tool, outcome=Outcome(first.outcome), decision=first.decision,
                      reasons=[*(first.reasons or []), ALREADY_MADE.format(row=first.id)],
                      reason_codes=list(first.reason_codes or []), policy_version=first.policy_version,
                      approval_id=first.approval_id, execution_id=first.id, data=first.result_summary or None)


def _unknown_merchant(tool: str, merchant_id: str) -> ToolResult:
    return denied(tool, [f"merchant {merchant_id} does not exist"], ["merchant.unknown"])


def _new_key() -> str:
    return uuid.uuid4().hex


def _with_decision(result: ToolResult, decision: Decision) -> ToolResult:
    return result.model_copy(update={
        "decision": decision.decision,
        "reason_codes": result.reason_codes or decision.reason_codes,
        "reasons": result.reasons or decision.reasons,
        "policy_version": decision.policy_version,
    })


def _error_result(tool: str, exc: BaseException) -> ToolResult:
    if isinstance(exc, NotFound):
        return ToolResult(tool=tool, outcome=Outcome.INVALID, reasons=[str(exc)], reason_codes=["args.not_found"],
                          error={"error": "NotFound", "message": str(exc)})
    if isinstance(exc, PlatformError):
        return failed(tool, exc.as_dict(), str(exc))
    if isinstance(exc, ShopwardenError):
        return failed(tool, {"error": type(exc).__name__, "message": str(exc)}, str(exc))
    log.exception("tool %s raised an unexpected error", tool)
    return failed(tool, {"error": type(exc).__name__, "message": "unexpected internal error"},
                  f"the tool {tool} failed with an unexpected internal error ({type(exc).__name__})")


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
