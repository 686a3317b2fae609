"""Tool manifests (top-level tools/*.yaml): the description the model reads, and the declared
surface, mutating, idempotent and risk that must match the code."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopwarden.errors import ConfigError
from shopwarden.resources import resource_dir


class ToolManifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    description: str = Field(min_length=10)
    surface: Literal["shop", "ads", "creative"]
    mutating: bool
    idempotent: bool
    risk: Literal["low", "medium", "high"]


def load_manifests(directory: Path | None = None) -> dict[str, ToolManifest]:
    """Every manifest in the tools folder, by tool name; ConfigError names a broken file."""
    root = directory or resource_dir("tools")
    manifests: dict[str, ToolManifest] = {}
    for path in sorted(root.glob("*.yaml")):
        try:
            manifest = ToolManifest.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except yaml.YAMLError as exc:
            raise ConfigError("SHOPWARDEN_TOOLS_DIR", f"{path.name}: not valid YAML: {exc}") from None
        except ValidationError as exc:
            raise ConfigError("SHOPWARDEN_TOOLS_DIR", f"{path.name}: {_one_line(exc)}") from None
        if manifest.name != path.stem:
            raise ConfigError("SHOPWARDEN_TOOLS_DIR", f"{path.name}: names the tool {manifest.name!r}")
        manifests[manifest.name] = manifest
    return manifests


def _one_line(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'manifest'}: {e['msg']}" for e in exc.errors())
