"""The one order in which limits combine.

A limit's value comes from, lowest first: the policy defaults (`policies/data.json`), the agent's
default thresholds (`agents/*.yaml`), then the merchant's own settings. The gate, the agents'
facts, the CLI, the console and the MCP prompt all ask this function, so what a merchant sees
is what policy decides with. An agent that carries ceilings of its own (an MCP client) then has
them applied on top by `policy/stricter.py`, which can only tighten.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def effective_limits(defaults: Mapping[str, Any], *, agent: Mapping[str, Any] | None = None,
                     merchant: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {**defaults, **(agent or {}), **(merchant or {})}
