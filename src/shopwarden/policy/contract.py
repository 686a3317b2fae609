"""The decision contract: what the gate sends the policy (PolicyInput) and what it gets back (Decision).

policies/README.md is the full description; docs/CONTRACTS.md the summary other engineers build against.
Malformed input never raises past `prepare`: it becomes a deny that says what is wrong.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from shopwarden.domain.reason_codes import INCONSISTENT, inconsistency
from shopwarden.domain.vocabulary import AutonomyLiteral, ControlledObjectLiteral

Verdict = Literal["allow", "require_approval", "deny"]

UNAVAILABLE = "policy engine unavailable"


class MerchantContext(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    autonomy: AutonomyLiteral
    limits: dict[str, Decimal] = Field(default_factory=dict)


class AgentContext(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    allowed_tools: list[str]


class PolicyInput(BaseModel):
    """Everything a decision depends on. `state` holds fresh platform facts (see policies/README.md)."""

    model_config = ConfigDict(extra="forbid")

    tool: str = Field(min_length=1)
    action: Literal["read", "mutate"]
    args: dict[str, Any] = Field(default_factory=dict)
    now: AwareDatetime
    merchant: MerchantContext
    agent: AgentContext
    state: dict[str, Any] = Field(default_factory=dict)
    request: dict[str, Any] = Field(default_factory=dict)

    def to_document(self) -> dict[str, Any]:
        """The JSON document both engines evaluate; raises InvalidPolicyInput when a tool's facts are malformed."""
        shape = _TOOL_SHAPES.get(self.tool)
        args, state = self.args, self.state
        if shape is not None:
            args = _validated("args", shape[0], args)
            state = _validated("state", shape[1], state)
        state = _with_advertiser_today(state, self.now)
        document = {
            "tool": self.tool,
            "action": self.action,
            "args": args,
            "now": self.now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "merchant": self.merchant.model_dump(),
            "agent": self.agent.model_dump(),
            "state": state,
            "request": self.request,
        }
        return _jsonable(document, "")


ParamValue = str | int | float | bool | None


class ReasonDetail(BaseModel):
    """One reason: its code, the sentence people read, and the typed values it is about."""

    model_config = ConfigDict(extra="forbid")

    code: str
    reason: str
    params: dict[str, ParamValue] = Field(default_factory=dict)


class Decision(BaseModel):
    """The policy's answer. Reasons are sentences a merchant reads; codes are for machines."""

    model_config = ConfigDict(extra="forbid")

    decision: Verdict
    reasons: list[str]
    reason_codes: list[str]
    obligations: dict[str, Any] = Field(default_factory=dict)
    policy_version: str
    details: list[ReasonDetail] = Field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.decision == "allow"

    @classmethod
    def fail_closed(cls, reason: str, code: str, policy_version: str) -> Decision:
        """A deny for when the policy could not be asked or answered nonsense."""
        return cls(decision="deny", reasons=[reason], reason_codes=[code], policy_version=policy_version)

    def cross_checked(self) -> Decision:
        """This decision when its verdict agrees with its reason codes, else a deny that says why."""
        problem = inconsistency(self)
        if problem is None:
            return self
        return Decision.fail_closed(f"{problem}; treated as a deny", INCONSISTENT, self.policy_version)


class InvalidPolicyInput(ValueError):
    """The input does not follow the decision contract; the message names the fields."""


# --- per-tool facts the rules compute with; other keys pass through untouched ---------------


class _Facts(BaseModel):
    model_config = ConfigDict(extra="allow")


ControlledType = Literal["campaign", "adgroup", "gmv_max_campaign"]


class _BudgetArgs(_Facts):
    object_type: ControlledObjectLiteral
    object_id: str
    budget: Decimal


class _BudgetState(_Facts):
    current_budget: Decimal
    start_of_day_budget: Decimal
    account_increase_today: Decimal
    day: dt.date
    object_name: str | None = None
    timezone: str | None = None


class _ObjectArgs(_Facts):
    object_type: ControlledObjectLiteral
    object_id: str


class _CreateArgs(_Facts):
    budget: Decimal | None = None
    budget_mode: str | None = None


class _LaunchArgs(_Facts):
    store_id: str
    budget: Decimal
    roas_bid: Decimal


class _LaunchState(_Facts):
    authorization_status: str
    starts_delivering_on_create: bool
    unlaunchable_item_group_ids: list[str] = Field(default_factory=list)


class _RoiArgs(_Facts):
    campaign_id: str
    roas_bid: Decimal


class _RoiState(_Facts):
    current_roas_bid: Decimal
    start_of_day_roas_bid: Decimal
    roi_changes_today: int = Field(ge=0)
    day: dt.date
    timezone: str | None = None


class _SkuChange(_Facts):
    sku_id: str
    warehouse_id: str
    quantity: int


class _InventoryArgs(_Facts):
    product_id: str
    skus: list[_SkuChange]


class _SkuStock(_Facts):
    sku_id: str
    warehouse_id: str
    current_quantity: int


class _InventoryState(_Facts):
    skus: list[_SkuStock] = Field(default_factory=list)


_TOOL_SHAPES: dict[str, tuple[type[_Facts], type[_Facts]]] = {
    "update_budget": (_BudgetArgs, _BudgetState),
    "enable_ads": (_ObjectArgs, _Facts),
    "pause_ads": (_ObjectArgs, _Facts),
    "create_campaign": (_CreateArgs, _Facts),
    "create_adgroup": (_CreateArgs, _Facts),
    "update_sku_inventory": (_InventoryArgs, _InventoryState),
    "launch_gmv_max_campaign": (_LaunchArgs, _LaunchState),
    "update_roi_target": (_RoiArgs, _RoiState),
}


def _validated(section: str, model: type[_Facts], value: dict[str, Any]) -> dict[str, Any]:
    try:
        return model.model_validate(value).model_dump(exclude_none=True)
    except ValidationError as exc:
        raise InvalidPolicyInput(describe_validation_error(exc, prefix=section)) from None


def _with_advertiser_today(state: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """Add `today` (the advertiser's local date) when the gate names the advertiser's time zone."""
    zone_name = state.get("timezone")
    if not zone_name:
        return state
    try:
        zone = ZoneInfo(str(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidPolicyInput(f"state.timezone: unknown time zone {zone_name!r}") from None
    return {**state, "today": now.astimezone(zone).date().isoformat()}


def _jsonable(value: Any, path: str = "input") -> Any:
    if isinstance(value, str):
        problem = _string_problem(value)
        if problem is not None:
            raise InvalidPolicyInput(f"{path or 'input'}: {problem}")
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            key = str(key)
            problem = _string_problem(key)
            if problem is not None:
                raise InvalidPolicyInput(f"{path or 'input'}: a key {problem}")
            out[key] = _jsonable(item, f"{path}.{key}" if path else key)
        return out
    if isinstance(value, list | tuple):
        return [_jsonable(item, f"{path}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _string_problem(text: str) -> str | None:
    """Strings every engine reads alike: no NUL (rego-cpp's input ends a string there) and valid Unicode."""
    if "\x00" in text:
        return "contains a NUL character, which no policy engine reads reliably"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "is not valid Unicode (it holds a lone surrogate)"
    return None


def describe_validation_error(exc: ValidationError, prefix: str = "") -> str:
    """One line: `state.current_budget: Field required; args.budget: Input should be ...`."""
    parts = []
    for error in exc.errors():
        location = ".".join(str(part) for part in (prefix, *error.get("loc", ())) if part != "")
        parts.append(f"{location or 'input'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


def prepare(policy_input: PolicyInput | dict[str, Any], policy_version: str) -> dict[str, Any] | Decision:
    """The document to evaluate, or a deny explaining why the input cannot be evaluated."""
    try:
        parsed = policy_input if isinstance(policy_input, PolicyInput) else PolicyInput.model_validate(policy_input)
        return parsed.to_document()
    except ValidationError as exc:
        message = describe_validation_error(exc)
    except InvalidPolicyInput as exc:
        message = str(exc)
    except (TypeError, ValueError) as exc:  # e.g. a non-finite Decimal; never let the call through
        message = f"{type(exc).__name__}: {exc}"
    return Decision.fail_closed(f"the policy input is malformed: {message}", "input.invalid", policy_version)


def decision_from_result(result: Any, policy_version: str) -> Decision:
    """Check the policy's raw answer against the contract; anything else is a deny."""
    if not isinstance(result, dict):
        return Decision.fail_closed(
            "the policy returned no decision (is data.shopwarden.main.decision loaded?)", "engine.no_decision",
            policy_version,
        )
    try:
        return Decision.model_validate({"policy_version": policy_version, **result}).cross_checked()
    except ValidationError as exc:
        return Decision.fail_closed(
            f"the policy returned a malformed decision: {describe_validation_error(exc)}", "engine.malformed_decision",
            policy_version,
        )
