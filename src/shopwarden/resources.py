"""Locate the data folders (agents/, tools/, policies/, evals/) the engine loads.

Order: the setting (SHOPWARDEN_<NAME>_DIR) -> the copy shipped inside the wheel
(shopwarden/_data/<name>) -> the source checkout's top-level folder (editable installs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from shopwarden.config import get_settings
from shopwarden.errors import ConfigError

ResourceName = Literal["agents", "tools", "policies", "evals"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: ResourceName) -> Path:
    override = getattr(get_settings(), f"{name}_dir")
    if override is not None:
        path = Path(override)
        if not path.is_dir():
            raise ConfigError(f"SHOPWARDEN_{name.upper()}_DIR", f"{path} is not a directory")
        return path
    shipped = _PACKAGE_DIR / "_data" / name
    if shipped.is_dir():
        return shipped
    checkout = _PACKAGE_DIR.parents[1] / name
    if checkout.is_dir():
        return checkout
    raise ConfigError(f"SHOPWARDEN_{name.upper()}_DIR", f"no {name}/ folder found; set the variable")
