"""What every request handler works with: the scenario, the world, the clock and the ids."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shopwarden.platforms.simulator.faults import FaultPlan
from shopwarden.platforms.simulator.scenario import Scenario
from shopwarden.platforms.simulator.wire import Refusal
from shopwarden.platforms.simulator.world import IdMaker, VirtualClock, World

M = TypeVar("M", bound=BaseModel)


@dataclass
class RecordedRequest:
    """One request the simulator received, as tests and evals read it back."""

    method: str
    host: str
    path: str
    query: dict[str, str]
    body: Any
    status: int | None = None
    code: int | str | None = None
    fault: str | None = None
    via: str | None = None


@dataclass
class SimContext:
    scenario: Scenario
    world: World
    clock: VirtualClock
    rng: random.Random
    ids: IdMaker
    faults: FaultPlan
    requests: list[RecordedRequest] = field(default_factory=list)
    skew_reference: str = "virtual"
    public_base: str | None = None  # where a browser reaches the served simulator (consent links point there)


def parse_model(model: type[M], data: Any, code: int, *, prefix: str = "") -> M:
    """Validate a request part; a type error becomes the platform's parameter-error refusal."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        field_name = ".".join(str(p) for p in first["loc"]) or "body"
        raise Refusal(code, f"{prefix}Invalid parameter {field_name}: {first['msg']}") from None
