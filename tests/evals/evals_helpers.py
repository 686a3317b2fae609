"""Small case files written by the tests, on the shipped small_shop world."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

WINNER = "1800000000000000001"
LOSER = "1800000000000000002"
DISABLED = "1800000000000000004"
SERUM = "1729000000000000001"


def write_case(folder: Path, name: str, expect: list[dict[str, Any]], **fields: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = {"name": name, "family": fields.pop("family", "test"),
            "world": fields.pop("world", {"scenario": "small_shop"}), "days": fields.pop("days", 1),
            "reviewer": fields.pop("reviewer", "approve_all"), "expect": expect, **fields}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return path


def quiet_model() -> object:
    """An `llm:` entry point for tests: a chat model that answers every turn with no tool call."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    return GenericFakeChatModel(messages=iter([AIMessage(content="nothing to do")] * 50))
