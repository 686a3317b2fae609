"""The gate's readable answers: what went wrong, per field, in words an agent can act on."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from shopwarden.gate.calls import Outcome, ToolResult

MAX_SUMMARY_KEYS = 20
MAX_TEXT = 200


def unknown_tool(name: str, known: list[str]) -> ToolResult:
    reason = f"there is no tool named {name!r}; the tools are: {', '.join(known)}"
    return ToolResult(tool=name, outcome=Outcome.INVALID, reasons=[reason], reason_codes=["tool.unknown"],
                      error={"error": "UnknownTool", "message": reason})


def invalid_args(tool: str, exc: ValidationError) -> ToolResult:
    """One reason per field, e.g. `args.budget: Input should be greater than 0`."""
    fields: dict[str, str] = {}
    for error in exc.errors():
        location = ".".join(str(part) for part in error.get("loc", ())) or "(arguments)"
        message = error.get("msg", "invalid")
        if error.get("type") == "extra_forbidden":
            message = f"is not an argument of {tool}"
        fields[location] = message
    reasons = [f"args.{location}: {message}" for location, message in fields.items()]
    return ToolResult(tool=tool, outcome=Outcome.INVALID, reasons=reasons, reason_codes=["args.invalid"],
                      error={"error": "ValidationError", "fields": fields})


def denied(tool: str, reasons: list[str], codes: list[str]) -> ToolResult:
    return ToolResult(tool=tool, outcome=Outcome.DENIED, decision="deny", reasons=reasons, reason_codes=codes)


def failed(tool: str, error: dict[str, Any], reason: str) -> ToolResult:
    return ToolResult(tool=tool, outcome=Outcome.FAILED, reasons=[reason], reason_codes=["platform.error"],
                      error=error)


def summarize(data: Any) -> dict[str, Any]:
    """A small, secret-free digest of a tool's answer for the audit row (not the data itself)."""
    if data is None:
        return {}
    if isinstance(data, list):
        return {"items": len(data)}
    if isinstance(data, dict):
        digest: dict[str, Any] = {}
        for key, value in list(data.items())[:MAX_SUMMARY_KEYS]:
            if isinstance(value, bool | int | float) or value is None:
                digest[key] = value
            elif isinstance(value, str):
                digest[key] = value[:MAX_TEXT]
            elif isinstance(value, list | dict):
                digest[key] = {"items": len(value)}
            else:
                digest[key] = str(value)[:MAX_TEXT]
        return digest
    return {"value": str(data)[:MAX_TEXT]}
