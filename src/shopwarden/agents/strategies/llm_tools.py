"""Which tools the model is offered on a turn, and how they are described to it.

Only what the agent still needs: the reads the gather step already made (their answers are the
facts) and the tools refused too often this cycle are left out. Two answers are not platform
tools and never reach the gate: `write_brief` (the Creative's structured brief) and
`request_creative` (the Growth Marketer's handoff). Each offered tool takes a `rationale`, the
model's own reason, which goes with the call into the approval and the cycle summary.

Runtimes that can only force one named function (llama.cpp through ChatLlamaCpp) get one
function, `next_step`, whose arguments list the calls; its grammar makes the reply parseable
JSON, and the tools are described in the prompt as one line each.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shopwarden.agents.records import HandoffReason
from shopwarden.tools import load_manifests, registry

# The reads gather.py makes every cycle (tests/agents/test_llm_context.py checks this list). GMV Max
# reports are gathered only for shops that have GMV Max campaigns, so get_gmv_max_report stays offered
# (per product, or another window).
GATHERED = frozenset({"list_shops", "sync_catalog", "search_orders", "list_campaigns", "list_adgroups",
                      "get_performance_report", "list_gmv_max_campaigns", "read_trends"})
WRITE_BRIEF = "write_brief"
REQUEST_CREATIVE = "request_creative"
NEXT_STEP = "next_step"
MAX_CALLS_PER_REPLY = 6
RATIONALE = {"type": "string", "maxLength": 500,
             "description": "why: the numbers from the facts this call is based on"}


class HookDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=150)
    source: str = Field(min_length=1, max_length=150, description="what the hook draws on: a fact or a reference")


class BriefDraft(BaseModel):
    """A brief as the model writes it; the strategy turns it into agents.records.Brief."""

    model_config = ConfigDict(extra="forbid")

    product_id: str = Field(min_length=1, max_length=64)
    angle: str = Field(min_length=1, max_length=300)
    hooks: list[HookDraft] = Field(min_length=1, max_length=5)
    hashtags: list[str] = Field(default_factory=list, max_length=5)
    references: list[str] = Field(default_factory=list, max_length=5, description="ids of ads it draws on")


class CreativeAsk(BaseModel):
    """The Growth Marketer's handoff as the model writes it (agents.records.CreativeRequest)."""

    model_config = ConfigDict(extra="forbid")

    product_id: str = Field(min_length=1, max_length=64)
    reason: HandoffReason
    detail: str = Field(default="", max_length=500, description="the numbers behind the reason")


ANSWERS: dict[str, tuple[type[BaseModel], str]] = {
    WRITE_BRIEF: (BriefDraft, "Hand in one creative brief for one product (hooks that each say what they draw on)."),
    REQUEST_CREATIVE: (CreativeAsk, "Ask the Creative for new creative for one product, with the reason and numbers."),
}
AGENT_ANSWERS = {"creative": [WRITE_BRIEF], "growth_marketer": [REQUEST_CREATIVE]}


def tool_schemas(tool_names: list[str]) -> list[dict[str, Any]]:
    """OpenAI-style function schemas, from the argument models and the manifests' descriptions."""
    tools, manifests = registry(), load_manifests()
    schemas = []
    for name in tool_names:
        if name not in tools:
            continue
        description = manifests[name].description if name in manifests else name
        schemas.append({"type": "function", "function": {
            "name": name, "description": description, "parameters": tools[name].args_model.model_json_schema()}})
    return schemas


def tools_for_turn(agent_id: str, allowed: list[str], blocked: list[str]) -> list[str]:
    """The platform tools still worth offering, then the agent's own answer tools."""
    platform = [t for t in allowed if t not in GATHERED and t not in blocked]
    return platform + AGENT_ANSWERS.get(agent_id, [])


def schemas_for_turn(names: list[str]) -> list[dict[str, Any]]:
    """OpenAI-style schemas, compacted (no titles), each with the model's `rationale`."""
    schemas = tool_schemas([n for n in names if n not in ANSWERS])
    for name in names:
        if name in ANSWERS:
            model, description = ANSWERS[name]
            schemas.append({"type": "function", "function": {
                "name": name, "description": description, "parameters": model.model_json_schema()}})
    for schema in schemas:
        parameters = _compact(schema["function"]["parameters"])
        parameters["properties"]["rationale"] = RATIONALE
        parameters["required"] = [*parameters.get("required", []), "rationale"]
        schema["function"]["parameters"] = parameters
    return schemas


def next_step_schema(names: list[str]) -> dict[str, Any]:
    """The one function a single-function runtime is forced to call: the calls it makes this turn."""
    # No maxLength here: llama.cpp turns each into that many nested grammar rules; replies are cut after.
    why = {k: v for k, v in RATIONALE.items() if k != "maxLength"}
    call = {"type": "object", "properties": {"tool": {"type": "string", "enum": names}, "args": {"type": "object"},
                                             "rationale": why},
            "required": ["tool", "args", "rationale"]}
    return {"type": "function", "function": {
        "name": NEXT_STEP, "description": "The calls to make now (none when done), and whether you are done.",
        "parameters": {"type": "object", "properties": {
            "calls": {"type": "array", "items": call, "maxItems": MAX_CALLS_PER_REPLY},
            "done": {"type": "boolean"}, "message": {"type": "string"}},
            "required": ["calls", "done"]}}}


def catalogue(schemas: list[dict[str, Any]]) -> str:
    """One line per tool: name(arguments) - description; `?` marks an optional argument."""
    lines = []
    for schema in schemas:
        function = schema["function"]
        params = function["parameters"]
        required = set(params.get("required", []))
        defs = params.get("$defs", {})
        args = ", ".join(f"{name}{'' if name in required else '?'}: {_type(spec, defs)}"
                         for name, spec in params.get("properties", {}).items() if name != "rationale")
        lines.append(f"- {function['name']}({args}) - {function['description'][:160]}")
    return "\n".join(lines)


def _type(spec: dict[str, Any], defs: dict[str, Any]) -> str:
    if "enum" in spec:
        return "|".join(str(v) for v in spec["enum"][:6])
    if "anyOf" in spec:  # an optional argument's null is what leaving it out means: the `?` already says so
        return "|".join(_type(s, defs) for s in spec["anyOf"] if s.get("type") != "null") or "null"
    if spec.get("type") == "array":
        return f"list of {_type(spec.get('items', {}), defs)}"
    if "$ref" in spec:
        inner = defs.get(spec["$ref"].rsplit("/", 1)[-1], {})
        return "{" + ", ".join(f"{k}: {_type(v, {})}" for k, v in inner.get("properties", {}).items()) + "}"
    return str(spec.get("type", "value"))


def _compact(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _compact(v) for k, v in schema.items() if k != "title"}
    if isinstance(schema, list):
        return [_compact(v) for v in schema]
    return schema
