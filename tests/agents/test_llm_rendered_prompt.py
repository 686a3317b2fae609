"""Refusals reach the model in what it actually reads: the conversation rendered through its chat
template, on the real gate, policies and simulator. A template that drops `tool` messages would
lose them; the llama.cpp profile sends tool results as a user turn, so they survive any template."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from llm_fakes import DROPS_TOOL_TEMPLATE, SMOLLM2_TEMPLATE, call, next_step, scripted
from stack import ADVERTISER, WINNER, make_stack

from shopwarden.agents import run_cycle
from shopwarden.agents.strategies import LLMStrategy
from shopwarden.agents.strategies.llm_calls import ModelProfile
from shopwarden.evals.llm_smoke import PromptRecorder, render_chat

LLAMA = ModelProfile("single_function", "user_text")
JUMP_REFUSED = "update_budget"
NOT_ALLOWED = "agent growth_marketer is not allowed to use the tool read_trends"


def jump_and_stray(reply_id: str) -> list[dict]:
    return [call("update_budget", f"{reply_id}-a", advertiser_id=ADVERTISER, object_type="campaign",
                 object_id=WINNER, budget="5000", rationale="all in"),
            call("read_trends", f"{reply_id}-b", kind="hashtags", rationale="curious")]


async def _growth_prompts(monkeypatch, tmp_path: Path, profile: ModelProfile, first: AIMessage,
                          template: str) -> tuple[list[str], object]:
    stack = await make_stack(monkeypatch, tmp_path, autonomy="guarded")
    model = scripted(first, AIMessage(content="done"))
    recorder = PromptRecorder(template)
    model.callbacks = [recorder]
    quiet = scripted(AIMessage(content="nothing"))
    summary = await run_cycle(stack.deps({"growth_marketer": LLMStrategy(model, profile),
                                          "creative": LLMStrategy(quiet, profile)}), "m_glow")
    return recorder.prompts, summary


@pytest.mark.parametrize("template", [DROPS_TOOL_TEMPLATE, SMOLLM2_TEMPLATE], ids=["drops-tool", "smollm2"])
async def test_a_refusal_is_in_the_rendered_prompt_of_the_next_call(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, template: str):
    prompts, summary = await _growth_prompts(monkeypatch, tmp_path, LLAMA, next_step("n1", *jump_and_stray("n1")),
                                             template)

    jump = next(a for a in summary.actions if a.tool == "update_budget")
    assert jump.verdict == "refused" and jump.reasons
    second = prompts[1]  # the Growth Marketer's second model call
    assert "<|im_start|>user\nResults of your calls:" in second
    assert all(reason in second for reason in jump.reasons)
    assert NOT_ALLOWED in second
    assert "<|im_start|>tool" not in second


async def test_with_tool_messages_a_template_that_drops_them_loses_the_refusal(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The control: the same refusal, sent as `tool` messages, never reaches a template that drops them."""
    native = AIMessage(content="", tool_calls=jump_and_stray("t1"))
    prompts, summary = await _growth_prompts(monkeypatch, tmp_path, ModelProfile(), native, DROPS_TOOL_TEMPLATE)

    jump = next(a for a in summary.actions if a.tool == "update_budget")
    assert jump.verdict == "refused"
    assert NOT_ALLOWED not in prompts[1] and not any(reason in prompts[1] for reason in jump.reasons)


def test_render_chat_follows_the_template_and_fails_loudly_on_a_broken_one():
    messages = [AIMessage(content="hello"), ToolMessage(content="refused: x", tool_call_id="c1")]
    assert render_chat(SMOLLM2_TEMPLATE, messages).count("<|im_start|>") == 4  # default system, 2, generation
    assert "refused: x" not in render_chat(DROPS_TOOL_TEMPLATE, messages)
    with pytest.raises(ValueError, match="no tools here"):
        render_chat("{{ raise_exception('no tools here') }}", messages)
