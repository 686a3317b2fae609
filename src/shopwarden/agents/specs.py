"""Declarative agent specs (top-level agents/*.yaml): role, instructions, tool allowlist, schedule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopwarden.domain.vocabulary import AutonomyLiteral
from shopwarden.errors import ConfigError
from shopwarden.resources import resource_dir

DEFAULT_SCHEDULE = "0 */6 * * *"


class AgentSpec(BaseModel):
    """One agent as declared in agents/<id>.yaml; `allowed_tools` is what the gate enforces."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=64)
    role: str = ""
    instructions: str = ""
    allowed_tools: list[str] = Field(default_factory=list)
    schedule: str = DEFAULT_SCHEDULE
    default_limits: dict[str, Any] = Field(default_factory=dict)
    # Limits and an autonomy level that can only tighten the merchant's (an MCP client's own): the gate
    # gives the policy the stricter of each (shopwarden.policy.stricter), never the looser.
    limit_ceilings: dict[str, Any] = Field(default_factory=dict)
    autonomy_ceiling: AutonomyLiteral | None = None


def _describe(exc: ValidationError) -> str:
    """'field: reason' for every problem, so the user knows which line of the YAML to fix."""
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
                     for err in exc.errors())


def load_agent_spec(path: Path) -> AgentSpec:
    """One spec file; ConfigError names the file and the field that is wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError("SHOPWARDEN_AGENTS_DIR", f"{path.name}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ConfigError("SHOPWARDEN_AGENTS_DIR",
                          f"{path.name}: expected a mapping of fields, got {type(raw).__name__}")
    try:
        spec = AgentSpec.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError("SHOPWARDEN_AGENTS_DIR", f"{path.name}: {_describe(exc)}") from None
    _check_schedule(path, spec.schedule)
    return spec


def _check_schedule(path: Path, schedule: str) -> None:
    if len(schedule.split()) != 5:
        raise ConfigError("SHOPWARDEN_AGENTS_DIR",
                          f"{path.name}: schedule: expected a 5-field cron expression, got {schedule!r}")


def load_agent_specs(directory: Path | None = None) -> dict[str, AgentSpec]:
    """Every agent spec in the agents folder, by id; ConfigError names a broken file and field."""
    root = Path(directory) if directory is not None else resource_dir("agents")
    specs: dict[str, AgentSpec] = {}
    for path in sorted(root.glob("*.yaml")):
        spec = load_agent_spec(path)
        if spec.id in specs:
            raise ConfigError("SHOPWARDEN_AGENTS_DIR", f"{path.name}: id: agent {spec.id!r} is declared twice")
        specs[spec.id] = spec
    return specs
