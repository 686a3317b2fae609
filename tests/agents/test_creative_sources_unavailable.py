"""A creative source that answers "no permission" is reported unavailable, not failing: the read is
audited as a read, the cycle's summary says which source and why, and the cycle carries on."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from langchain_core.messages import AIMessage
from llm_fakes import SMOLLM2_TEMPLATE, scripted
from stack import make_stack

from shopwarden.agents import run_cycle
from shopwarden.agents.strategies import LLMStrategy
from shopwarden.agents.strategies.llm_calls import ModelProfile
from shopwarden.audit.chain import list_executions
from shopwarden.evals.llm_smoke import PromptRecorder

SMALL_SHOP = Path(__file__).resolve().parents[2] / "evals" / "scenarios" / "small_shop.yaml"


async def test_trends_without_permission_are_an_unavailable_source_in_the_cycle(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    world = yaml.safe_load(SMALL_SHOP.read_text())
    world["creative"]["trends_permission"] = False
    stack = await make_stack(monkeypatch, tmp_path, scenario=world)  # type: ignore[arg-type]

    summary = await run_cycle(stack.deps(), "m_glow", slot="s1")

    refused = [r for r in stack.sim.requests if r.path.startswith("/creative_radar_api/")]
    assert [r.code for r in refused] == [40101, 40101]  # hashtags and keywords, once each
    unavailable = [n for n in summary.notes if n.startswith("source unavailable: ")]
    assert [n.split(" (")[0] for n in unavailable] == ["source unavailable: trending hashtags",
                                                       "source unavailable: trending keywords"]
    assert all("40101" in n and "unavailable" in n for n in unavailable)
    assert not any("could not read trending" in n for n in summary.notes)  # not a gap, not a failure
    trend_rows = [r.outcome for r in list_executions(stack.runtime.engine, run_id=summary.run_id)
                  if r.tool == "read_trends"]
    assert trend_rows and "failed" not in trend_rows
    assert summary.briefs  # the Creative still wrote its briefs from the shop's own numbers
    assert all(not b.hashtags for b in summary.briefs)


async def test_with_permission_no_source_is_reported_unavailable(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    stack = await make_stack(monkeypatch, tmp_path)
    summary = await run_cycle(stack.deps(), "m_glow", slot="s1")
    assert not any(n.startswith("source unavailable") for n in summary.notes)
    assert any(b.hashtags for b in summary.briefs)


async def test_the_model_reads_which_sources_were_unavailable(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """On the LLM path the facts the Growth Marketer's model reads name the unavailable sources, so an
    empty trends list is not mistaken for "nothing is trending"."""
    world = yaml.safe_load(SMALL_SHOP.read_text())
    world["creative"]["trends_permission"] = False
    stack = await make_stack(monkeypatch, tmp_path, scenario=world)  # type: ignore[arg-type]
    model = scripted(AIMessage(content="done"))
    recorder = PromptRecorder(SMOLLM2_TEMPLATE)
    model.callbacks = [recorder]
    profile = ModelProfile("single_function", "user_text")

    await run_cycle(stack.deps({"growth_marketer": LLMStrategy(model, profile),
                                "creative": LLMStrategy(scripted(AIMessage(content="nothing")), profile)}), "m_glow")

    first = recorder.prompts[0]
    listed = first.split("Not available to this account", 1)[1].split("\n")
    assert listed[0].endswith("(2):")
    assert listed[1].startswith('- "trending hashtags') and listed[2].startswith('- "trending keywords')
    assert "Trending hashtags" not in first
