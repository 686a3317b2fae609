"""The growth cycle of one merchant, as a LangGraph graph. The flow, top to bottom:

    gather ─▶ growth_marketer ─▶ act ─┬─▶ growth_marketer   (its next turn, while it has one)
                                      ├─▶ creative ─▶ act   (then the Creative's turns, on the handoff)
                                      └─▶ await_approvals ──▶ summarise
                                              ▲     │ (some still pending: pause again)
                                              └─────┘

The handoff between the two agents is the `handoffs` channel: the Growth Marketer writes typed
CreativeRequests (product, reason: new launch / fatigue / rising ROAS, and the numbers), and the
Creative's turns read them. `memory` starts from the previous cycle's and goes into this one's
summary; `usage` adds up each agent's model calls, tokens and seconds.

The cycle's dependencies (gate, strategies, engine, agent specs: `CycleDeps`) are the graph's
runtime context, handed in with each `ainvoke(..., context=deps)`; nodes read them from
`runtime.context`, so the compiled graph holds no merchant's objects and the state stays data
that a checkpoint can carry.

`await_approvals` pauses the graph with `interrupt(...)` while the gate holds actions for a
reviewer; the cycle is resumed with `Command(resume={"decisions": {approval_id: decision}})`. On resume the node
runs again from its first line, so every side effect sits after the interrupt, and it only asks
the gate to execute approvals the gate itself still has as `approved` (the gate's compare-and-set
is what makes execution exactly-once).
"""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from shopwarden.agents import approvals_step, stock_counts
from shopwarden.agents.deps import CREATIVE, GROWTH, CycleDeps
from shopwarden.agents.facts import WorldView
from shopwarden.agents.gather import gather
from shopwarden.agents.records import BLOCKED, CallRecord, CreativeRequest, ProposedCall, Usage
from shopwarden.agents.strategies.base import AgentTurn
from shopwarden.agents.summary import build_summary
from shopwarden.gate.calls import ToolCall

AGENT_ORDER = (GROWTH, CREATIVE)
COUNTED_AS_DENIAL = {"denied", "invalid"}
OBSERVE_ONLY = "autonomy.observe"  # a recommendation in observe mode, not a refusal to learn from


def _merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    return {**left, **right}


class CycleState(TypedDict, total=False):
    merchant_id: str
    run_id: str
    facts: dict[str, Any]
    agent: str  # whose turn it is
    turns: Annotated[dict[str, int], _merge]
    finished_agents: Annotated[list[str], operator.add]
    proposed: list[dict[str, Any]]  # calls waiting for `act`
    records: Annotated[list[dict[str, Any]], operator.add]
    denials: Annotated[dict[str, int], _merge]
    conversations: Annotated[dict[str, list[dict[str, Any]]], _merge]
    focus_products: list[str]
    handoffs: list[dict[str, Any]]  # the Growth Marketer's CreativeRequests: product, reason, numbers
    memory: Annotated[dict[str, Any], _merge]  # agents/memory.py, carried to the next cycle by the summary
    usage: Annotated[dict[str, dict[str, Any]], _merge]  # agent -> model calls, tokens, seconds this cycle
    briefs: Annotated[list[dict[str, Any]], operator.add]
    notes: Annotated[list[str], operator.add]
    approvals: Annotated[dict[str, dict[str, Any]], _merge]  # approval id -> what became of it
    summary: dict[str, Any]


def build_cycle_graph(checkpointer: Any = None) -> Any:
    """The compiled graph; run it with `context=` the cycle's `CycleDeps`."""

    async def gather_node(state: CycleState, runtime: Runtime[CycleDeps]) -> dict[str, Any]:
        facts, records = await gather(runtime.context, state["merchant_id"], state["run_id"])
        return {"facts": facts.model_dump(mode="json"), "records": [r.model_dump(mode="json") for r in records],
                "agent": GROWTH, "memory": facts.memory,
                "notes": [f"source unavailable: {what}" for what in facts.unavailable]}

    def agent_node(agent_id: str) -> Any:
        async def node(state: CycleState, runtime: Runtime[CycleDeps]) -> dict[str, Any]:
            return await _agent_turn(runtime.context, agent_id, state)
        return node

    async def act_node(state: CycleState, runtime: Runtime[CycleDeps]) -> dict[str, Any]:
        return await _act(runtime.context, state)

    async def await_approvals_node(state: CycleState, runtime: Runtime[CycleDeps]) -> dict[str, Any]:
        waiting = approvals_step.waiting_ids(state)
        if not waiting:
            return {}
        interrupt(approvals_step.pause_payload(state, waiting))
        # Everything below runs only after a resume (and again if this node is re-run): it is idempotent.
        return {"approvals": await approvals_step.settle(runtime.context, waiting)}

    def summarise_node(state: CycleState) -> dict[str, Any]:
        return {"summary": build_summary(state, finished=True).model_dump(mode="json")}

    graph = StateGraph(CycleState, context_schema=CycleDeps)
    graph.add_node("gather", gather_node)
    graph.add_node(GROWTH, agent_node(GROWTH))
    graph.add_node(CREATIVE, agent_node(CREATIVE))
    graph.add_node("act", act_node)
    graph.add_node("await_approvals", await_approvals_node)
    graph.add_node("summarise", summarise_node)

    graph.add_edge(START, "gather")
    graph.add_edge("gather", GROWTH)
    graph.add_edge(GROWTH, "act")
    graph.add_edge(CREATIVE, "act")
    graph.add_conditional_edges("act", _after_act, [GROWTH, CREATIVE, "await_approvals"])
    graph.add_conditional_edges("await_approvals", _after_approvals, ["await_approvals", "summarise"])
    graph.add_edge("summarise", END)
    return graph.compile(checkpointer=checkpointer)


# --- routing ------------------------------------------------------------------------------------

def _after_act(state: CycleState) -> str:
    agent = state["agent"]
    if agent not in state.get("finished_agents", []):
        return agent
    later = AGENT_ORDER[AGENT_ORDER.index(agent) + 1:]
    return later[0] if later else "await_approvals"


def _after_approvals(state: CycleState) -> str:
    return "await_approvals" if approvals_step.waiting_ids(state) else "summarise"


# --- nodes' work --------------------------------------------------------------------------------

async def _agent_turn(deps: CycleDeps, agent_id: str, state: CycleState) -> dict[str, Any]:
    turn_no = state.get("turns", {}).get(agent_id, 0)
    mine = [CallRecord.model_validate(r) for r in state.get("records", []) if r["agent_id"] == agent_id
            and r["turn"] >= 0]
    turn = AgentTurn(
        spec=deps.spec(agent_id), merchant_id=state["merchant_id"], run_id=state["run_id"], turn=turn_no,
        facts=WorldView.model_validate(state["facts"]), history=mine,
        last_results=[r for r in mine if r.turn == turn_no - 1], blocked_tools=_blocked(deps, agent_id, state),
        focus_products=state.get("focus_products", []), messages=state.get("conversations", {}).get(agent_id, []),
        handoffs=[CreativeRequest.model_validate(h) for h in state.get("handoffs", [])], memory=state.get("memory", {}),
        usage=state.get("usage", {}).get(agent_id, {}),
    )
    step = await deps.strategies[agent_id].step(turn)
    done = step.done or turn_no + 1 >= deps.max_turns(agent_id)
    update: dict[str, Any] = {
        "agent": agent_id, "turns": {agent_id: turn_no + 1}, "proposed": [c.model_dump() for c in step.calls],
        "briefs": [b.model_dump(mode="json") for b in step.briefs], "notes": step.notes,
        "finished_agents": [agent_id] if done else [],
    }
    if done and not step.done:
        update["notes"] = [*step.notes, f"{agent_id} stopped after {turn_no + 1} turns (the limit for one cycle)"]
    if step.focus_products:
        update["focus_products"] = step.focus_products
    if step.handoffs:  # the handoff: what the Creative works on when its turn comes
        update["handoffs"] = [h.model_dump(mode="json") for h in step.handoffs]
    if step.memory is not None:
        update["memory"] = step.memory
    if step.usage is not None:
        update["usage"] = {agent_id: _add_usage(state.get("usage", {}).get(agent_id), step.usage)}
    if step.messages is not None:
        update["conversations"] = {agent_id: step.messages}
    return update


def _add_usage(before: dict[str, Any] | None, step: Usage) -> dict[str, Any]:
    total = Usage.model_validate(before or {})
    for name in Usage.model_fields:
        setattr(total, name, round(getattr(total, name) + getattr(step, name), 3))
    return total.model_dump()


def _blocked(deps: CycleDeps, agent_id: str, state: CycleState) -> list[str]:
    limit = deps.max_denials(agent_id)
    return sorted(tool for tool, n in state.get("denials", {}).items() if n >= limit)


async def _act(deps: CycleDeps, state: CycleState) -> dict[str, Any]:
    """Every proposed call through the gate, in order; a tool refused too often is not sent again."""
    agent_id = state["agent"]
    turn_no = state["turns"][agent_id] - 1
    denials = dict(state.get("denials", {}))
    limit = deps.max_denials(agent_id)
    records, notes = [], []
    for index, raw in enumerate(state.get("proposed", [])):
        call = ProposedCall.model_validate(raw)
        if denials.get(call.tool, 0) >= limit:
            records.append(CallRecord(agent_id=call.agent_id, tool=call.tool, args=call.args, rationale=call.rationale,
                                      tool_call_id=call.tool_call_id, turn=turn_no, outcome=BLOCKED,
                                      reasons=[f"not sent: {call.tool} was refused {denials[call.tool]} times in "
                                               "this cycle; it is blocked until the next cycle"]))
            continue
        result = await deps.gate.call(ToolCall(tool=call.tool, args=call.args, agent_id=call.agent_id,
                                               merchant_id=state["merchant_id"], run_id=state["run_id"],
                                               rationale=call.rationale,
                                               # a step re-run after a crash finds what it already sent
                                               call_key=f"{state['run_id']}/{agent_id}/{turn_no}/{index}"))
        record = CallRecord.from_result(call, result, turn_no)
        records.append(record)
        if call.tool == "update_sku_inventory" and record.outcome in ("executed", "pending_approval"):
            await asyncio.to_thread(stock_counts.consume, deps.engine, state["merchant_id"],
                                    str(call.args.get("product_id")), list(call.args.get("skus") or []))
        if record.outcome in COUNTED_AS_DENIAL and OBSERVE_ONLY not in record.reason_codes:
            denials[call.tool] = denials.get(call.tool, 0) + 1
            if denials[call.tool] == limit:
                notes.append(f"{call.tool} was refused {limit} times; {agent_id} stops proposing it this cycle")
    return {"records": [r.model_dump(mode="json") for r in records], "denials": denials, "proposed": [],
            "notes": notes}
