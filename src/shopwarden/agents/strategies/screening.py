"""Reading strangers' words safely: unwrap a quoted untrusted value for matching, and spot text that
reads like an instruction so it can be set aside and reported instead of used."""

from __future__ import annotations

import json
import re
from typing import Any

_WRAPPED = re.compile(r'^<untrusted source="[^"]*">(.*)</untrusted>$', re.DOTALL)
_INSTRUCTION_LIKE = re.compile(
    r"ignore (all |any |your )?(previous|prior|above) instructions|^\s*(system|assistant)\s*:|approve (all|every)"
    r"|set (every|all) .*budget|you are now|disregard",
    re.IGNORECASE,
)


def raw_words(value: Any) -> str:
    """The words inside a quoted untrusted value (for matching and screening, never for acting on)."""
    text = str(value)
    match = _WRAPPED.match(text)
    if match:
        try:
            return str(json.loads(match.group(1)))
        except json.JSONDecodeError:
            return match.group(1)
    return text


def looks_like_instructions(text: str) -> bool:
    return bool(_INSTRUCTION_LIKE.search(text))
