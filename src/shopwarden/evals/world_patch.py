"""Small edits to a scenario so a case can reuse a shipped world: `{at: "campaign:ID", set: {...}}`.

`at` names one object by kind and id (merchant, shop, product, sku, advertiser, campaign,
adgroup), or the scenario itself when empty. `set` replaces fields, `append` adds items to a list
field, `remove: true` deletes the object from its list. A patch that names nothing fails loudly.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shopwarden.errors import ShopwardenError

KINDS = {
    "merchant": ("merchants",),
    "shop": ("merchants", "shops"),
    "product": ("merchants", "shops", "products"),
    "sku": ("merchants", "shops", "products", "skus"),
    "advertiser": ("merchants", "advertisers"),
    "campaign": ("merchants", "advertisers", "campaigns"),
    "adgroup": ("merchants", "advertisers", "campaigns", "adgroups"),
}


class PatchError(ShopwardenError):
    """A world patch that cannot be applied (names the patch and the reason)."""


class WorldPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: str = ""
    set: dict[str, Any] = Field(default_factory=dict)
    append: dict[str, list[Any]] = Field(default_factory=dict)
    remove: bool = False


def apply_patches(scenario: dict[str, Any], patches: list[WorldPatch]) -> dict[str, Any]:
    """A patched deep copy; the input is left as it was."""
    world = copy.deepcopy(scenario)
    if "merchant" in world and "merchants" not in world:
        world["merchants"] = [world.pop("merchant")]
    for index, patch in enumerate(patches):
        _apply(world, patch, f"world.patch.{index}")
    return world


def _apply(world: dict[str, Any], patch: WorldPatch, where: str) -> None:
    if not patch.at:
        if patch.remove:
            raise PatchError(f"{where}: the scenario itself cannot be removed")
        _edit(world, patch, where)
        return
    kind, _, object_id = patch.at.partition(":")
    if kind not in KINDS or not object_id:
        raise PatchError(f"{where}: `at` must be KIND:ID with KIND one of {', '.join(KINDS)} (got {patch.at!r})")
    found = [(parent, item) for parent, item in _walk(world, KINDS[kind]) if str(item.get("id")) == object_id]
    if not found:
        raise PatchError(f"{where}: no {kind} with id {object_id!r} in the world")
    parent, item = found[0]
    if patch.remove:
        parent.remove(item)
        return
    _edit(item, patch, where)


def _edit(target: dict[str, Any], patch: WorldPatch, where: str) -> None:
    for key, value in patch.set.items():
        target[key] = copy.deepcopy(value)
    for key, values in patch.append.items():
        existing = target.setdefault(key, [])
        if not isinstance(existing, list):
            raise PatchError(f"{where}: {key} is not a list, nothing can be appended to it")
        existing.extend(copy.deepcopy(values))


def _walk(node: dict[str, Any], path: tuple[str, ...]) -> Iterator[tuple[list[Any], dict[str, Any]]]:
    children = node.get(path[0]) or []
    if not isinstance(children, list):
        return
    for child in children:
        if not isinstance(child, dict):
            continue
        if len(path) == 1:
            yield children, child
        else:
            yield from _walk(child, path[1:])
