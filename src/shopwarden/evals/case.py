"""The case format: a world, who runs it (merchants, reviewer, events) and what must hold afterwards.

evals/README.md documents every field for people who write cases. A malformed case fails with a
`CaseError` naming the file, the field and the reason.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shopwarden.errors import ShopwardenError
from shopwarden.evals.world_patch import WorldPatch, apply_patches

Autonomy = Literal["observe", "suggest", "guarded"]
Persona = Literal["approve_all", "reject_all", "reject_enables", "let_expire", "rules"]
Decide = Literal["approve", "reject", "expire"]
Verdict = Literal["proposed", "executed", "waiting", "refused", "recommended", "rejected", "expired", "failed"]
METRICS = ("sales", "cogs", "ad_spend", "profit", "baseline_profit", "profit_vs_baseline", "sales_vs_baseline",
           "spend_vs_baseline", "units_lost_to_stockouts", "units_lost_vs_baseline", "spend_while_out_of_stock",
           "approvals_requested", "approvals_pending_at_end", "refusals", "executed_mutations",
           "executed_violations", "audit_rows", "briefs", "library_ads_seen", "new_campaigns",
           "new_campaigns_live")


class CaseError(ShopwardenError):
    """A case file that cannot be used: names the file, the field and the reason."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorldSpec(_Strict):
    scenario: str | None = Field(default=None, description="a shipped scenario name or a path (relative to the case)")
    inline: dict[str, Any] | None = Field(default=None, description="a whole scenario written in the case")
    patch: list[WorldPatch] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_source(self) -> WorldSpec:
        if (self.scenario is None) == (self.inline is None):
            raise ValueError("give exactly one of scenario or inline")
        return self


class MerchantSetup(_Strict):
    id: str = Field(description="the scenario merchant's id")
    autonomy: Autonomy = "guarded"
    limits: dict[str, Any] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)


class ReviewRule(_Strict):
    tool: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    budget_max: Decimal | None = None
    budget_min: Decimal | None = None
    decide: Decide

    def matches(self, tool: str, args: dict[str, Any]) -> bool:
        budget = _number(args.get("budget"))
        return ((self.tool is None or self.tool == tool)
                and (self.object_type is None or self.object_type == args.get("object_type"))
                and (self.object_id is None or self.object_id == str(args.get("object_id")))
                and (self.budget_max is None or (budget is not None and budget <= self.budget_max))
                and (self.budget_min is None or (budget is not None and budget >= self.budget_min)))


class ReviewerSpec(_Strict):
    persona: Persona = "approve_all"
    rules: list[ReviewRule] = Field(default_factory=list)
    default: Decide = "reject"


class Event(_Strict):
    day: int = Field(ge=1, description="before that day's growth cycle")
    do: Literal["revoke_ads", "revoke_shop", "fault", "outage", "restock"]
    merchant: str | None = None
    path: str = "*"
    kind: Literal["latency", "server_error", "rate_limit", "malformed", "timeout", "timeout_after_commit"] = (
        "server_error")
    times: int | None = Field(default=None, gt=0)
    sku: str | None = None
    warehouse: str | None = None
    quantity: int = Field(default=0, ge=0)


class TraceFilter(_Strict):
    tool: str | list[str] | None = None
    verdict: Verdict | list[Verdict] = "proposed"
    agent: str | None = None
    merchant: str | None = None
    object_id: str | None = None
    object_type: str | None = None
    product_id: str | None = None
    reason_code: str | None = None
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    day_min: int | None = None
    day_max: int | None = None
    new_object: bool | None = Field(default=None, description="the object was created during the run")
    via_approval: bool | None = Field(default=None, description="the action was queued for a reviewer")


class ScriptedCall(_Strict):
    """A call the case itself proposes through an agent, whatever the strategy (to test the gate's answer)."""

    tool: str = Field(min_length=1)
    args: dict[str, Any] = Field(default_factory=dict)
    rationale: str = "proposed by the case's script"


class InjectionTargets(_Strict):
    """What the injection matrix aims at in a carrier case's world."""

    best_campaign: str
    disabled_campaign: str
    product: str = Field(description="the product whose title and ad library search carry the payload")
    named_campaign: str | None = Field(default=None, description="the campaign whose name carries it")


class Expectation(_Strict):
    """One assertion: exactly one of state, count, never, metric or audit."""

    label: str = ""
    state: str | None = Field(default=None, description="KIND:ID of a campaign, adgroup, product or sku")
    field: Literal["status", "budget", "stock", "roas_bid"] | None = None
    day: int | None = Field(default=None, ge=1, description="the state after that day's cycle; omitted = final")
    count: TraceFilter | None = None
    never: TraceFilter | None = None
    metric: str | None = None
    audit: Literal["chain_ok"] | None = None
    eq: Any = None
    ne: Any = None
    min: Decimal | None = None
    max: Decimal | None = None
    one_of: list[Any] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Expectation:
        kinds = [k for k in ("state", "count", "never", "metric", "audit") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"an expectation needs exactly one of state, count, never, metric, audit (got {kinds})")
        if self.state is not None and self.field is None:
            raise ValueError("a state expectation needs a field (status, budget, stock or roas_bid)")
        if self.metric is not None and self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}; known: {', '.join(METRICS)}")
        return self

    def describe(self) -> str:
        if self.label:
            return self.label
        bounds = ", ".join(f"{k} {getattr(self, k)}" for k in ("eq", "ne", "min", "max", "one_of")
                           if getattr(self, k) is not None)
        if self.state:
            when = f" after day {self.day}" if self.day else " at the end"
            return f"{self.state} {self.field}{when}: {bounds}"
        if self.never:
            return f"never: {_filter_text(self.never)}"
        if self.count:
            return f"count of {_filter_text(self.count)}: {bounds}"
        if self.metric:
            return f"{self.metric}: {bounds}"
        return "audit chain verifies"


class Case(_Strict):
    name: str = Field(pattern=r"^[a-z0-9_]{1,80}$")
    family: str = Field(min_length=1)
    description: str = ""
    world: WorldSpec
    days: int = Field(default=3, ge=1, le=30)
    merchants: list[MerchantSetup] = Field(default_factory=list)
    reviewer: ReviewerSpec = Field(default_factory=ReviewerSpec)
    events: list[Event] = Field(default_factory=list)
    expect: list[Expectation] = Field(min_length=1)
    fast: bool = Field(default=False, description="part of the CI subset (`make test`)")
    known_failing: str | None = Field(default=None, description="why today's strategy fails it (kept out of CI)")
    injectable: InjectionTargets | None = Field(default=None, description="a carrier for the injection matrix")
    script: dict[str, dict[int, list[ScriptedCall]]] = Field(
        default_factory=dict, description="{agent id: {cycle day: [calls]}} added to the strategy's own calls")
    injection: dict[str, Any] | None = Field(default=None, description="set by the matrix on the cells it makes")

    @model_validator(mode="before")
    @classmethod
    def _reviewer_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("reviewer"), str):
            data = {**data, "reviewer": {"persona": data["reviewer"]}}
        return data

    source: str = ""
    world_data: dict[str, Any] = Field(default_factory=dict, exclude=True)

    def digest(self) -> str:
        """A hash of everything that decides the case: the resolved world and the case itself."""
        body = self.model_dump(mode="json", exclude={"source", "world_data"})
        text = json.dumps({"case": body, "world": self.world_data}, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _filter_text(f: TraceFilter) -> str:
    parts = [f"{k}={v}" for k, v in f.model_dump(exclude_none=True).items()]
    return " ".join(parts)


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except ArithmeticError:
        return None


def _error_path(exc: ValidationError) -> tuple[str, str]:
    first = exc.errors()[0]
    return ".".join(str(p) for p in first["loc"]) or "(top level)", first["msg"]


class WorldVariant(_Strict):
    """A named world shared by several cases: another world (scenario or variant) plus patches."""

    description: str = ""
    extends: str = Field(min_length=1, description="a shipped scenario name, or a path relative to this file")
    patch: list[WorldPatch] = Field(default_factory=list)


MAX_VARIANT_DEPTH = 8


def resolve_world(spec: WorldSpec, base_dir: Path) -> dict[str, Any]:
    """The scenario dict the case runs: a shipped or relative scenario or variant (or the inline one), patched."""
    data = spec.inline if spec.inline is not None else _load_world(str(spec.scenario), base_dir, depth=0)
    return apply_patches(data, spec.patch)


def _load_world(name: str, base_dir: Path, depth: int) -> dict[str, Any]:
    """A scenario file, or a variant file (`extends:` + `patch:`) resolved down to its scenario."""
    from shopwarden.platforms.simulator.scenario import find_scenario

    relative = base_dir / name
    path = relative if relative.suffix in (".yaml", ".yml") and relative.is_file() else find_scenario(name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CaseError(f"{path}: cannot read the world ({exc})") from None
    if not isinstance(data, dict) or "extends" not in data:
        return data if isinstance(data, dict) else {}
    if depth >= MAX_VARIANT_DEPTH:
        raise CaseError(f"{path}: extends: more than {MAX_VARIANT_DEPTH} variants deep (a loop?)")
    try:
        variant = WorldVariant.model_validate(data)
    except ValidationError as exc:
        where, why = _error_path(exc)
        raise CaseError(f"{path}: {where}: {why}") from None
    return apply_patches(_load_world(variant.extends, path.parent, depth + 1), variant.patch)


def load_case(path: Path) -> Case:
    """Parse and validate one case file, resolving and validating its world too."""

    label = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CaseError(f"{label}: cannot read the case ({exc})") from None
    if not isinstance(data, dict):
        raise CaseError(f"{label}: a case must hold a mapping at the top level")
    try:
        case = Case.model_validate({**data, "source": label})
    except ValidationError as exc:
        where, why = _error_path(exc)
        raise CaseError(f"{label}: {where}: {why}") from None
    return with_world(case, path.parent, label)


def with_world(case: Case, base_dir: Path, label: str) -> Case:
    """The case with its resolved world attached (and checked as a scenario)."""
    from shopwarden.platforms.simulator.scenario import ScenarioError, load_scenario

    try:
        world = resolve_world(case.world, base_dir)
        scenario = load_scenario(world)
    except ScenarioError as exc:
        raise CaseError(f"{label}: world: {exc.field}: {exc.reason}") from None
    except ShopwardenError as exc:
        raise CaseError(f"{label}: {exc}") from None
    known = {m.id for m in scenario.merchants}
    for index, setup in enumerate(case.merchants):
        if setup.id not in known:
            raise CaseError(f"{label}: merchants.{index}.id: the world has no merchant {setup.id!r}")
    if not case.merchants:
        case = case.model_copy(update={"merchants": [MerchantSetup(id=scenario.merchants[0].id)]})
    return case.model_copy(update={"world_data": world})
