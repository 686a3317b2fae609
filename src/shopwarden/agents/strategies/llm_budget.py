"""How much of a model's context one turn may use, and how big a prompt is.

Token counts are estimated, not tokenised: one token per digit, ceil(other characters / 3), and
4 tokens of chat-template framing per message. The tokenisers small models use (SmolLM2's among
them: its 49,152-token vocabulary has no token of two digits) split numbers digit by digit, and the
facts are full of 19-digit ids; English text runs about 4 characters per token and JSON about 3,
so the estimate errs high: a prompt the estimate fits, fits. No tokenizer download is needed.

A conversation grows turn by turn; `fit` keeps it inside the budget by shortening the oldest tool
results first (their newest words matter most), never the system text or the newest results.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

CHARS_PER_TOKEN = 3
FRAMING_TOKENS = 4  # <|im_start|>role\n ... <|im_end|>\n and the like
DROPPED = "(an older result, shortened to fit the context)"


def estimate_tokens(text: str) -> int:
    digits = sum(c.isdigit() for c in text)
    return digits + math.ceil((len(text) - digits) / CHARS_PER_TOKEN)


def message_text(message: BaseMessage) -> str:
    """What of a message reaches the model: its text and any tool calls it made."""
    text = message.content if isinstance(message.content, str) else json.dumps(message.content, default=str)
    if isinstance(message, AIMessage) and message.tool_calls:
        text += json.dumps([{"name": c["name"], "args": c["args"]} for c in message.tool_calls], default=str)
    return text


def prompt_tokens(messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]] = ()) -> int:
    """The estimated size of what the model is sent: every message, and the tool schemas."""
    size = sum(estimate_tokens(message_text(m)) + FRAMING_TOKENS for m in messages)
    return size + sum(estimate_tokens(json.dumps(t, separators=(",", ":"))) for t in tools)


@dataclass(frozen=True)
class ContextBudget:
    """A model's context, split into what the prompt may use and what the reply needs."""

    context_tokens: int = 8192
    reply_tokens: int = 1024
    tool_result_tokens: int = 600  # one tool result, before it is shortened

    @property
    def prompt_tokens(self) -> int:
        return self.context_tokens - self.reply_tokens

    def clip(self, text: str, tokens: int | None = None) -> str:
        """`text` cut to `tokens` (default: one tool result's share), saying how much was cut."""
        limit = tokens or self.tool_result_tokens
        if estimate_tokens(text) <= limit:
            return text
        low, high = 0, min(len(text), limit * CHARS_PER_TOKEN)  # the longest prefix inside the limit
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if estimate_tokens(text[:middle]) <= limit else (low, middle - 1)
        cut = low
        return f"{text[:cut]}… [{len(text) - cut} more characters cut to fit the context]"

    def fit(self, messages: list[BaseMessage], tools: Sequence[dict[str, Any]] = ()) -> list[BaseMessage]:
        """The conversation with its oldest tool results shortened until the prompt fits."""
        fitted = list(messages)
        for index, message in enumerate(fitted):
            if prompt_tokens(fitted, tools) <= self.prompt_tokens:
                break
            if isinstance(message, ToolMessage) and index < _newest_results_start(fitted):
                fitted[index] = message.model_copy(update={"content": DROPPED})
        return fitted


def compact_reply(reply: AIMessage, chars: int = 500) -> AIMessage:
    """The model's reply as the conversation keeps it: long text and argument values cut short.

    The gate gets the arguments as they were; only the copy the model reads again is shortened, so a
    5 MB value it produced cannot crowd out the rest of its context on the next turn.
    """
    def cut(value: Any, depth: int = 0) -> Any:
        if isinstance(value, str):
            return value if len(value) <= chars else value[:chars] + "…"
        if depth > 8:
            return "…"
        if isinstance(value, dict):
            return {str(k)[:chars]: cut(v, depth + 1) for k, v in list(value.items())[:50]}
        if isinstance(value, list):
            return [cut(v, depth + 1) for v in value[:50]]
        return value

    content = reply.content if isinstance(reply.content, str) else json.dumps(reply.content, default=str)
    return reply.model_copy(update={
        "content": content if len(content) <= chars * 8 else content[:chars * 8] + "…",
        "tool_calls": [{**c, "args": cut(c["args"])} for c in reply.tool_calls],
        "invalid_tool_calls": [{**c, "args": cut(c.get("args"))} for c in reply.invalid_tool_calls],
        "additional_kwargs": {}})


def _newest_results_start(messages: list[BaseMessage]) -> int:
    """Index of the first message after the newest model reply: the results it has not seen yet."""
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], AIMessage):
            return index + 1
    return len(messages)
