"""Declarative agent specs (top-level agents/*.yaml): role, instructions, tool allowlist, schedule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopwarden.errors import ConfigError
from shopwarden.resources import resource_dir


class AgentSpec(BaseModel):
    """One agent as declared in agents/<id>.yaml; `allowed_tools` is what the gate enforces."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=64)
    role: str = ""
    instructions: str = ""
    allowed_tools: list[str] = Field(default_factory=list)
    schedule: str | None = None
    default_limits: dict[str, Any] = Field(default_factory=dict)


def load_agent_specs(directory: Path | None = None) -> dict[str, AgentSpec]:
    """Every agent spec in the agents folder, by id; ConfigError names a broken file."""
    root = Path(directory) if directory is not None else resource_dir("agents")
    specs: dict[str, AgentSpec] = {}
    for path in sorted(root.glob("*.yaml")):
        try:
            spec = AgentSpec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, ValidationError) as exc:
            raise ConfigError("SHOPWARDEN_AGENTS_DIR", f"{path.name}: {exc}") from None
        if spec.id in specs:
            raise ConfigError("SHOPWARDEN_AGENTS_DIR", f"{path.name}: agent id {spec.id!r} is declared twice")
        specs[spec.id] = spec
    return specs
