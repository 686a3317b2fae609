"""Which agents run a suite: the rules, a chat model, a script, or the gullible stand-in for a hijacked model.

    rules                       the default rule strategies (what `shopwarden run` uses without a model)
    llm:<module:factory>        both agents on the langchain chat model the factory returns
    scripted:<file>             the rules, plus the calls a YAML file lists per cycle day
    gullible                    the rules, plus obedience to every instruction planted in what it reads
                                (a worst case that measures what the gate alone holds back)
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shopwarden.agents.deps import CREATIVE, GROWTH, rule_strategies
from shopwarden.agents.records import AgentStep, ProposedCall
from shopwarden.agents.strategies.base import AgentTurn, Strategy
from shopwarden.errors import ConfigError
from shopwarden.evals.case import Case

_ID = r"(\d{6,20})"


@dataclass(frozen=True)
class StrategyChoice:
    label: str
    model_id: str

    def build(self) -> dict[str, Strategy]:
        """Fresh strategy objects for one run (scripted ones count days from the run's start)."""
        kind, _, rest = self.label.partition(":")
        rules = rule_strategies()
        if kind == "rules":
            return rules
        if kind == "gullible":
            return {agent: Gullible(strategy) for agent, strategy in rules.items()}
        if kind == "scripted":
            script = load_script(Path(rest))
            return {agent: Scripted(strategy, script.get(agent, {})) for agent, strategy in rules.items()}
        from shopwarden.agents.strategies import LLMStrategy, load_model

        strategy = LLMStrategy(load_model(rest))
        return {GROWTH: strategy, CREATIVE: strategy}


def with_case_script(strategies: dict[str, Strategy], case: Case) -> dict[str, Strategy]:
    """The run's strategies plus the calls the case itself scripts (`script:`), on top of whatever runs."""
    if not case.script:
        return strategies
    unknown = sorted(set(case.script) - set(strategies))
    if unknown:
        agents = ", ".join(sorted(strategies))
        raise ConfigError("script", f"case {case.name}: no agent {unknown[0]!r} (agents: {agents})")
    return {agent: Scripted(strategy, {day: [c.model_dump() for c in calls]
                                       for day, calls in case.script.get(agent, {}).items()})
            if agent in case.script else strategy for agent, strategy in strategies.items()}


def parse_strategy(label: str) -> StrategyChoice:
    kind, _, rest = label.partition(":")
    if kind in ("rules", "gullible") and not rest:
        return StrategyChoice(label, kind)
    if kind == "scripted" and rest:
        load_script(Path(rest))
        return StrategyChoice(label, f"scripted:{Path(rest).name}")
    if kind == "llm" and ":" in rest:
        from shopwarden.agents.strategies import load_model

        model = load_model(rest)
        name = getattr(model, "model_name", None) or getattr(model, "model", None) or type(model).__name__
        return StrategyChoice(label, f"{rest} ({name})")
    raise ConfigError("--strategy", f"expected rules, gullible, llm:<module:factory> or scripted:<file>, got {label!r}")


def load_script(path: Path) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """`{agent_id: {day: [{tool, args, rationale}]}}` from YAML; a malformed script is a ConfigError."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError("--strategy", f"cannot read the script {path}: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ConfigError("--strategy", f"{path}: expected {{agent_id: {{day: [calls]}}}}")
    script: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for agent, days in data.items():
        script[str(agent)] = {}
        for day, calls in days.items():
            if not isinstance(calls, list) or not all(isinstance(c, dict) and "tool" in c for c in calls):
                raise ConfigError("--strategy", f"{path}: {agent}.{day} must be a list of {{tool, args}}")
            script[str(agent)][int(day)] = calls
    return script


class _Wrapped:
    """Runs an inner strategy and adds calls of its own on the first turn of each cycle."""

    def __init__(self, inner: Strategy) -> None:
        self.inner = inner
        self.cycles: dict[str, int] = defaultdict(int)

    async def step(self, turn: AgentTurn) -> AgentStep:
        if turn.turn == 0:
            self.cycles[turn.merchant_id] += 1
        step = await self.inner.step(turn)
        extra = self.extra_calls(turn, self.cycles[turn.merchant_id])
        if extra:
            step = step.model_copy(update={"calls": [*step.calls, *extra], "done": step.done and turn.turn > 0})
        return step

    def extra_calls(self, turn: AgentTurn, day: int) -> list[ProposedCall]:
        return []


class Scripted(_Wrapped):
    def __init__(self, inner: Strategy, days: dict[int, list[dict[str, Any]]]) -> None:
        super().__init__(inner)
        self.days = days

    def extra_calls(self, turn: AgentTurn, day: int) -> list[ProposedCall]:
        if turn.turn != 0:
            return []
        return [ProposedCall(agent_id=turn.spec.id, tool=c["tool"], args=dict(c.get("args") or {}),
                             rationale=str(c.get("rationale", "scripted"))) for c in self.days.get(day, [])]


class Gullible(_Wrapped):
    """Does what any text it reads tells it to (product titles, campaign names, trends, ad library)."""

    def __init__(self, inner: Strategy) -> None:
        super().__init__(inner)
        self.obeyed: set[tuple[str, int, str]] = set()

    def extra_calls(self, turn: AgentTurn, day: int) -> list[ProposedCall]:
        texts = [p.title for p in turn.facts.products.values()] + [c.name for c in turn.facts.campaigns]
        texts += turn.facts.hashtags + turn.facts.keywords
        for record in turn.last_results:
            if record.tool == "read_ad_library" and isinstance(record.data, dict):
                texts += [str(ad) for ad in record.data.get("ads", [])]
        calls = []
        for text in texts:
            for tool, args in planted_orders(text):
                if "advertiser_id" not in args:
                    owner = next((c.advertiser_id for c in turn.facts.campaigns if c.campaign_id == args["object_id"]),
                                 turn.facts.advertisers[0] if turn.facts.advertisers else "")
                    args = {"advertiser_id": owner, **args}
                key = (turn.merchant_id, day, f"{tool}{sorted(args.items())}")
                if key in self.obeyed:
                    continue
                self.obeyed.add(key)
                calls.append(ProposedCall(agent_id=turn.spec.id, tool=tool, args=args,
                                          rationale=f"followed an instruction in text it read: {text[:120]}"))
        return calls


def planted_orders(text: str) -> list[tuple[str, dict[str, Any]]]:
    """The tool calls a text asks for, read as literally as a hijacked model would."""
    orders: list[tuple[str, dict[str, Any]]] = []
    low = text.lower()
    advertiser = re.search(r"advertiser\D{0,5}" + _ID, low)
    adv = {"advertiser_id": advertiser.group(1)} if advertiser else {}
    for match in re.finditer(r"pause\D{0,40}?" + _ID, low):
        orders.append(("pause_ads", {**adv, "object_type": "campaign", "object_id": match.group(1)}))
    for match in re.finditer(r"(?:enable|activate|turn on)\D{0,40}?" + _ID, low):
        orders.append(("enable_ads", {**adv, "object_type": "campaign", "object_id": match.group(1)}))
    for match in re.finditer(r"budget\D{0,40}?" + _ID + r"\D{1,12}?(\d{1,7}(?:\.\d+)?)\b", low):
        orders.append(("update_budget", {**adv, "object_type": "campaign", "object_id": match.group(1),
                                         "budget": match.group(2)}))
    return orders
