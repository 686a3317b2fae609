"""Bounded arguments: depth, string length and total size of a tool call, checked before anything else.

A 500-level nested argument or a 5 MB name never reaches validation, the policy engine or a
platform: the gate answers `invalid` with the bound that was exceeded, and its audit row keeps
a small, redacted excerpt instead of the input. The walk is iterative and stops at the first
bound crossed, so hostile input costs at most one pass over what it takes to find out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shopwarden.gate.calls import Outcome, ToolCall, ToolResult
from shopwarden.security.redaction import MASK, is_secret_key, redact_text

MAX_DEPTH = 12  # the deepest tool input (inventory: args -> skus -> item -> field) is 3
MAX_STRING = 10_000  # characters in any one key or value (campaign names stop at 512)
MAX_TOTAL = 256 * 1024  # estimated bytes of the whole input
MAX_NODES = 20_000  # values and keys in the whole input
MAX_RATIONALE = 4_000
MAX_ID = 64  # tool, agent, merchant and run ids (the audit columns' width)

EXCERPT_DEPTH = 3
EXCERPT_ITEMS = 10
EXCERPT_TEXT = 120


@dataclass(frozen=True)
class OutOfBounds:
    code: str
    reason: str
    input_bytes: int


def check(call: ToolCall) -> OutOfBounds | None:
    """The first bound the call exceeds, or None."""
    for name in ("tool", "agent_id", "merchant_id", "run_id"):
        value = getattr(call, name)
        if len(value) > MAX_ID:
            return OutOfBounds("args.id_too_long", f"{name} is {len(value)} characters long; at most {MAX_ID} "
                                                   "are accepted", len(value))
    if len(call.rationale) > MAX_RATIONALE:
        return OutOfBounds("args.too_large", f"the rationale is {len(call.rationale)} characters long; at most "
                                             f"{MAX_RATIONALE} are accepted", len(call.rationale))
    return _walk(call.args)


def _walk(args: Any) -> OutOfBounds | None:
    total, nodes = 0, 0
    stack: list[tuple[Any, int, str]] = [(args, 1, "args")]
    while stack:
        value, depth, where = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            return OutOfBounds("args.too_deep", f"{where} is nested more than {MAX_DEPTH} levels deep", total)
        if nodes > MAX_NODES:
            return OutOfBounds("args.too_large", f"the arguments hold more than {MAX_NODES} values", total)
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                return OutOfBounds("args.string_too_long", f"{where} is {len(value)} characters long; at most "
                                                           f"{MAX_STRING} are accepted", total + len(value))
            total += len(value) + 2
        elif isinstance(value, dict):
            total += 2
            for key, item in value.items():
                text = str(key)
                if len(text) > MAX_STRING:
                    return OutOfBounds("args.string_too_long", f"a key in {where} is {len(text)} characters long",
                                       total + len(text))
                total += len(text) + 4
                stack.append((item, depth + 1, f"{where}.{text[:40]}"))
        elif isinstance(value, list | tuple):
            total += 2
            for index, item in enumerate(value):
                stack.append((item, depth + 1, f"{where}[{index}]"))
        else:
            total += 8
        if total > MAX_TOTAL:
            return OutOfBounds("args.too_large", f"the arguments are larger than {MAX_TOTAL // 1024} KB", total)
    return None


def refusal(call: ToolCall, problem: OutOfBounds) -> ToolResult:
    reason = f"{problem.reason}; nothing was run"
    return ToolResult(tool=short(call.tool), outcome=Outcome.INVALID, reasons=[reason], reason_codes=[problem.code],
                      error={"error": "ArgumentsOutOfBounds", "message": reason})


def recordable(call: ToolCall) -> ToolCall:
    """The call as the audit log may hold it: ids cut to their columns, arguments replaced by an excerpt."""
    merchant = call.merchant_id if len(call.merchant_id) <= MAX_ID else ""  # no chain is named by a cut id
    return ToolCall(tool=short(call.tool), agent_id=short(call.agent_id), merchant_id=merchant,
                    run_id=short(call.run_id), args={"excerpt": excerpt(call.args)})


def short(text: str, limit: int = MAX_ID) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def excerpt(value: Any, depth: int = 0) -> Any:
    """A small, redacted picture of `value`: shallow, few items, short strings (secrets masked before cutting)."""
    if isinstance(value, str):
        text = redact_text(value)
        return text if len(text) <= EXCERPT_TEXT else f"{text[:EXCERPT_TEXT]}… (+{len(text) - EXCERPT_TEXT} chars)"
    if isinstance(value, dict | list | tuple) and depth >= EXCERPT_DEPTH:
        return f"… ({type(value).__name__} nested deeper)"
    if isinstance(value, dict):
        items = list(value.items())
        shown: dict[str, Any] = {}
        for key, item in items[:EXCERPT_ITEMS]:
            name = excerpt(str(key), depth)
            shown[name] = MASK if is_secret_key(str(key)) and item not in (None, "") else excerpt(item, depth + 1)
        if len(items) > EXCERPT_ITEMS:
            shown["…"] = f"+{len(items) - EXCERPT_ITEMS} more keys"
        return shown
    if isinstance(value, list | tuple):
        shown_items = [excerpt(item, depth + 1) for item in list(value)[:EXCERPT_ITEMS]]
        if len(value) > EXCERPT_ITEMS:
            shown_items.append(f"… +{len(value) - EXCERPT_ITEMS} more items")
        return shown_items
    return value if isinstance(value, int | float | bool) or value is None else excerpt(str(value), depth)
