"""A simulator's whole state in one JSON file, so a later process can carry on where it stopped.

`make demo` leaves approvals waiting; the reviewer approves one later, in another process. That
process rebuilds the demo's simulator from this file (scenario, seed, virtual clock, random
generator, id counter, fault rules, world), sends the approved change to it, and writes the state
back. Processes sharing a file take an exclusive lock on `<file>.lock` around each request, reload
when another process changed the file, and replace the file atomically, so none loses another's
change. Plain JSON (no pickle): the file is data, never code.
"""

from __future__ import annotations

import dataclasses
import fcntl
import functools
import json
import os
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

from shopwarden.errors import ConfigError
from shopwarden.platforms.simulator.context import SimContext
from shopwarden.platforms.simulator.faults import FaultRule
from shopwarden.platforms.simulator.world import World, snapshot_of

FORMAT = "shopwarden-simulator-state/1"
T = TypeVar("T")


class SavedStateError(ConfigError):
    """The saved simulator state cannot be used; names the setting, the file and the reason."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__("SHOPWARDEN_SIMULATOR_STATE", f"{path} {reason}")


def state_of(ctx: SimContext, seed: int) -> dict[str, Any]:
    """Everything that decides the simulator's next answers, as JSON-ready values."""
    version, internal, gauss = ctx.rng.getstate()
    return {
        "format": FORMAT,
        "scenario": ctx.scenario.model_dump(mode="json"),
        "seed": seed,
        "skew_reference": ctx.skew_reference,
        "clock": ctx.clock.now().isoformat(),
        "rng": [version, list(internal), gauss],
        "id_counter": ctx.ids._counter,
        "faults": [dataclasses.asdict(rule) for rule in ctx.faults.rules],
        "world": snapshot_of(ctx.world, ctx.clock.now()),
    }


def restore_into(ctx: SimContext, state: dict[str, Any]) -> None:
    """Put a saved state back into a context built from the same scenario."""
    world_data = dict(state["world"])
    world_data.pop("clock", None)
    ctx.world = from_plain(World, world_data)
    ctx.clock._move_to(datetime.fromisoformat(state["clock"]))
    version, internal, gauss = state["rng"]
    ctx.rng.setstate((version, tuple(internal), gauss))
    ctx.ids._counter = int(state["id_counter"])
    ctx.faults.rules = [FaultRule(**rule) for rule in state["faults"]]
    ctx.skew_reference = state["skew_reference"]


def read_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SavedStateError(path, "no such file (was it written by `shopwarden demo`?)") from None
    except (OSError, ValueError) as exc:
        raise SavedStateError(path, f"cannot be read ({exc})") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise SavedStateError(path, f"is not a {FORMAT} file")
    return state


def write_state(path: Path, state: dict[str, Any]) -> None:
    """Replace the file atomically (a reader sees the old state or the new one, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.touch(mode=0o600)  # it holds the simulated platforms' tokens, which the vault's tokens open
    partial.write_text(json.dumps(state, separators=(",", ":")), encoding="utf-8")
    os.replace(partial, path)


def stamp(path: Path) -> tuple[int, int] | None:
    """What changes whenever another process replaces the file (its inode and modification time)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold `<file>.lock` exclusively: one process at a time reads, changes and writes the state."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# --- plain JSON back into the world's dataclasses -------------------------------------------------

@functools.cache
def _field_types(kind: type) -> tuple[tuple[str, Any], ...]:
    """A dataclass's fields and their resolved types (resolving annotations is slow: once per class)."""
    hints = get_type_hints(kind)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(kind))


def from_plain(kind: Any, value: Any) -> Any:
    """Rebuild a value of type `kind` from what `snapshot_of` wrote (the inverse of world._plain)."""
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return kind(**{name: from_plain(field_type, value[name])
                       for name, field_type in _field_types(kind) if name in value})
    origin = get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in get_args(kind) if a is not type(None)]
        return None if value is None else from_plain(options[0], value)
    if origin is dict:
        _, item = get_args(kind)
        return {key: from_plain(item, v) for key, v in value.items()}
    if origin is list:
        (item,) = get_args(kind)
        return [from_plain(item, v) for v in value]
    if kind is Decimal:
        return Decimal(value)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    return value
