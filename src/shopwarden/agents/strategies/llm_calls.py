"""One model call, bounded: the runtime's profile, explicit tool_choice, a timeout, one retry, limits.

A profile says what the runtime can do. OpenAI-style runtimes take many tools with
`tool_choice="auto"` and read `tool` messages. llama.cpp (ChatLlamaCpp) reads `tool_choice=None`
as "no tools", accepts only one named function, and renders the prompt with the model's own chat
template, which may drop `tool` messages: there the model is forced to call `next_step` and tool
results are sent as a user turn, so refusals reach it whatever the template does.

Limits are per agent per cycle (the agent spec's `max_model_calls`, `max_model_tokens`,
`max_model_seconds` of wall-clock time in model calls; `model_timeout_seconds` per attempt).
Every attempt is counted in `Usage`: calls = parsed + malformed + failures, and the cycle
summary adds them up per agent.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from shopwarden.agents.records import Usage
from shopwarden.agents.specs import AgentSpec
from shopwarden.agents.strategies.llm_budget import ContextBudget, estimate_tokens, message_text, prompt_tokens
from shopwarden.agents.strategies.llm_exclusive import invoke_exclusive
from shopwarden.agents.strategies.llm_tools import NEXT_STEP

LIMIT_DEFAULTS = {"max_model_calls": 8, "max_model_tokens": 60000, "max_model_seconds": 300,
                  "model_timeout_seconds": 120}
LLAMA_CPP = "llama-cpp-python"  # ChatLlamaCpp's _llm_type


@dataclass(frozen=True)
class ModelProfile:
    tool_choice: Literal["auto", "single_function"] = "auto"
    tool_results: Literal["tool_messages", "user_text"] = "tool_messages"
    budget: ContextBudget = field(default_factory=ContextBudget)
    # An in-process runtime goes on computing after a timeout (a thread cannot be stopped), and
    # llama.cpp must not run twice at once: there only an error is retried, not a timeout, and
    # calls are exclusive (llm_exclusive.py): the next one waits until the model is free.
    retry_after_timeout: bool = True
    exclusive: bool = False


def profile_for(model: BaseChatModel) -> ModelProfile:
    if getattr(model, "_llm_type", "") == LLAMA_CPP:
        context = llama_context(model)
        reply = int(getattr(model, "max_tokens", 0) or 1024)
        return ModelProfile("single_function", "user_text", ContextBudget(context_tokens=context, reply_tokens=reply),
                            retry_after_timeout=False, exclusive=True)
    return ModelProfile()


def llama_context(model: BaseChatModel) -> int:
    """The tokens a ChatLlamaCpp model can read: the context llama.cpp made, at most the trained one.

    Past the context length the GGUF was trained on (`<arch>.context_length` in its metadata) the
    positions are ones the model never saw; a prompt budget must not count on them.
    """
    context = int(getattr(model, "n_ctx", 0) or 8192)
    client = getattr(model, "client", None)
    if client is None:
        return context
    metadata: Mapping[str, str] = getattr(client, "metadata", None) or {}
    trained = metadata.get(f"{metadata.get('general.architecture', '')}.context_length", "")
    made = client.n_ctx() if callable(getattr(client, "n_ctx", None)) else context
    return min(context, int(made), int(trained) if trained.isdigit() else context)


def limits(spec: AgentSpec) -> dict[str, float]:
    return {name: float(spec.default_limits.get(name, default)) for name, default in LIMIT_DEFAULTS.items()}


def over_limit(spec: AgentSpec, used: Usage, prompt: int) -> str | None:
    """Why no further model call may be made this cycle, or None."""
    bound = limits(spec)
    if used.calls >= bound["max_model_calls"]:
        return f"{used.calls} model calls (limit {int(bound['max_model_calls'])} per cycle)"
    if used.input_tokens + used.output_tokens + prompt > bound["max_model_tokens"]:
        return (f"{used.input_tokens + used.output_tokens} tokens used and {prompt} more needed "
                f"(limit {int(bound['max_model_tokens'])} per cycle)")
    if used.seconds >= bound["max_model_seconds"]:
        return f"{used.seconds:.1f} s of model time (limit {bound['max_model_seconds']:g} s per cycle)"
    return None


def bind(model: BaseChatModel, profile: ModelProfile, schemas: list[dict[str, Any]],
         envelope: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    """The runnable to call and the schemas it carries; tool_choice is always explicit."""
    try:
        if profile.tool_choice == "single_function":
            forced = {"type": "function", "function": {"name": NEXT_STEP}}
            # BaseChatModel declares tool_choice as str; the chat models this profile is for take this dict form.
            return model.bind_tools([envelope], tool_choice=forced), [envelope]  # type: ignore[arg-type]
        return model.bind_tools(schemas, tool_choice="auto"), schemas
    except NotImplementedError:  # scripted test models call tools without being told about them
        return model, schemas if profile.tool_choice == "auto" else [envelope]


def as_sent(messages: Sequence[BaseMessage], profile: ModelProfile) -> list[BaseMessage]:
    """The conversation in the form this runtime reads; `user_text` turns tool traffic into plain turns."""
    if profile.tool_results == "tool_messages":
        return list(messages)
    sent: list[BaseMessage] = []
    results: list[str] = []
    for message in messages:
        if isinstance(message, ToolMessage):
            results.append(f"- call {message.tool_call_id}: {message.content}")
            continue
        if results:
            sent.append(HumanMessage(content="Results of your calls:\n" + "\n".join(results)))
            results = []
        if isinstance(message, AIMessage) and (message.tool_calls or message.invalid_tool_calls):
            sent.append(AIMessage(content=message_text(message)))
        else:
            sent.append(message)
    if results:
        sent.append(HumanMessage(content="Results of your calls:\n" + "\n".join(results)))
    return sent


async def call_model(runnable: Any, messages: list[BaseMessage], tools: list[dict[str, Any]], spec: AgentSpec,
                     used: Usage, profile: ModelProfile) -> tuple[AIMessage | None, Usage, str | None]:
    """The reply (or None), this call's usage, and what went wrong; a timeout or error is retried once."""
    bound = limits(spec)
    step = Usage()
    prompt = prompt_tokens(messages, tools)
    error = None
    for attempt in range(2):
        remaining = bound["max_model_seconds"] - used.seconds - step.seconds
        if remaining <= 0:
            return None, step, error or "no model time left this cycle"
        started = time.monotonic()
        step.calls += 1
        step.retries += attempt
        timeout = min(bound["model_timeout_seconds"], remaining)
        try:
            if profile.exclusive:
                reply = await invoke_exclusive(runnable, messages, timeout)
            else:
                reply = await asyncio.wait_for(runnable.ainvoke(messages), timeout=timeout)
        except Exception as exc:  # a broken or slow model must not break the cycle
            step.seconds = round(step.seconds + time.monotonic() - started, 3)
            step.failures += 1
            step.input_tokens += prompt
            timed_out = isinstance(exc, TimeoutError)
            error = "timed out" if timed_out else f"{type(exc).__name__}: {str(exc)[:200]}"
            if timed_out and not profile.retry_after_timeout:
                break
            continue
        step.seconds = round(step.seconds + time.monotonic() - started, 3)
        if not isinstance(reply, AIMessage):
            reply = AIMessage(content=str(getattr(reply, "content", reply)))
        metered: Mapping[str, Any] = reply.usage_metadata or {}
        step.input_tokens += int(metered.get("input_tokens") or prompt)
        step.output_tokens += int(metered.get("output_tokens") or estimate_tokens(_written(reply)))
        return reply, step, None
    return None, step, error


def _written(reply: AIMessage) -> str:
    """All the model wrote, the arguments of tool calls that did not parse included."""
    return message_text(reply) + "".join(str(c.get("args") or "") for c in reply.invalid_tool_calls)


def envelope_calls(reply: AIMessage) -> tuple[list[dict[str, Any]], list[str], str]:
    """A `next_step` reply -> its calls (name, args, id), what was malformed, and its message."""
    found = [c for c in reply.tool_calls if c["name"] == NEXT_STEP]
    text = reply.content.strip() if isinstance(reply.content, str) else ""
    if not found and not text.startswith("{"):
        return [], [], text[:300]  # plain words: nothing to do
    if not found:
        try:  # some runtimes put the forced JSON in the text instead of a tool call
            found = [{"name": NEXT_STEP, "args": json.loads(text), "id": "next"}]
        except json.JSONDecodeError:
            return [], ["the reply is not valid JSON"], ""
    calls, malformed, message = [], [], ""
    for envelope in found:
        args = envelope.get("args")
        items = args.get("calls") if isinstance(args, dict) else None
        if not isinstance(items, list):
            malformed.append("next_step has no list of calls")
            continue
        message = str(args.get("message") or "")[:300]
        for index, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("tool"), str):
                malformed.append(f"call {index} has no tool name")
                continue
            inner = item.get("args", {})
            if not isinstance(inner, dict):
                malformed.append(f"call {index} ({str(item['tool'])[:64]}): its args are not an object")
                continue
            if "rationale" in item:
                inner = {**inner, "rationale": item["rationale"]}
            calls.append({"name": item["tool"], "args": inner, "id": f"{envelope.get('id') or 'next'}-{index}"})
    return calls, malformed, message
