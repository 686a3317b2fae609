"""Read a rego-cpp result as a tree of terms, never as text.

rego-cpp's textual output does not escape strings, and regopy's `Output` object parses that text
with `json.loads` as soon as it is made. A string in the input (a campaign name in a reason
sentence) could close its quotes and add a second `decision` key. So the result is walked node by
node through rego-cpp's C API: every string arrives as one value whatever it contains, and a key
that appears twice, a second result or any node of an unexpected kind is an error (the caller
denies).
"""

from __future__ import annotations

import ctypes
from typing import Any

import regopy
from regopy import rego_shared
from regopy.rego_shared import NodeKind as _Kind

_rego = rego_shared.rego
_OK = rego_shared.Code.OK
_MAX_DEPTH = 64


class AmbiguousResult(ValueError):
    """The engine's answer is not exactly one well-formed value."""


def evaluate_entrypoint(interpreter: regopy.Interpreter, bundle: regopy.Bundle, entrypoint: str) -> Any:
    """The value of one entrypoint as Python data; None when undefined; AmbiguousResult or ValueError otherwise."""
    output = rego_shared.rego_bundle_query_entrypoint(interpreter._impl, bundle._impl, entrypoint)
    try:
        if not _rego.regoOutputOk(output):
            raise ValueError(_error_text(output))
        return _single_value(_rego.regoOutputNode(output))
    finally:
        _rego.regoFreeOutput(output)


def _single_value(results: int) -> Any:
    if _kind(results) == _Kind.Undefined:
        return None
    if _kind(results) != _Kind.Results:
        raise AmbiguousResult(f"the result is a {_kind(results).name}, not a list of results")
    count = _rego.regoNodeSize(results)
    if count == 0:
        return None
    if count != 1:
        raise AmbiguousResult(f"the entrypoint gave {count} results, not one")
    result = _rego.regoNodeGet(results, 0)
    terms = [_rego.regoNodeGet(result, i) for i in range(_rego.regoNodeSize(result))]
    expressions = [node for node in terms if _kind(node) == _Kind.Terms]
    if len(expressions) != 1 or _rego.regoNodeSize(expressions[0]) != 1:
        raise AmbiguousResult("the result does not hold exactly one expression")
    return to_python(_rego.regoNodeGet(expressions[0], 0))


def to_python(node: int, depth: int = 0) -> Any:
    """One term as Python data: objects become dicts (string keys, each once), sets and arrays lists."""
    if depth > _MAX_DEPTH:
        raise AmbiguousResult("the result is nested too deeply")
    kind = _kind(node)
    if kind in (_Kind.Term, _Kind.Scalar):
        if _rego.regoNodeSize(node) != 1:
            raise AmbiguousResult(f"a {kind.name} node without exactly one child")
        return to_python(_rego.regoNodeGet(node, 0), depth + 1)
    if kind == _Kind.String:
        return _value(node).decode("utf-8")
    if kind == _Kind.Boolean:
        return _rego.regoNodeType(node) == _Kind.True_
    if kind == _Kind.Null:
        return None
    if kind == _Kind.Int:
        return int(_value(node))
    if kind == _Kind.Float:
        return float(_value(node))
    children = [_rego.regoNodeGet(node, i) for i in range(_rego.regoNodeSize(node))]
    if kind in (_Kind.Array, _Kind.Set):
        return [to_python(child, depth + 1) for child in children]
    if kind == _Kind.Object:
        return _object(children, depth)
    raise AmbiguousResult(f"unexpected node kind {kind.name} in the result")


def _object(items: list[int], depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for item in items:
        if _kind(item) != _Kind.ObjectItem or _rego.regoNodeSize(item) != 2:
            raise AmbiguousResult("an object entry is not a key and a value")
        key = to_python(_rego.regoNodeGet(item, 0), depth + 1)
        if not isinstance(key, str):
            raise AmbiguousResult(f"an object key is not a string: {key!r}")
        if key in value:
            raise AmbiguousResult(f"the key {key!r} appears twice in one object")
        value[key] = to_python(_rego.regoNodeGet(item, 1), depth + 1)
    return value


def _kind(node: int) -> _Kind:
    if not node:
        raise AmbiguousResult("a missing node in the result")
    return rego_shared.rego_node_type(node)


def _value(node: int) -> bytes:
    """The scalar's bytes, all of them (regopy's own reader stops at the first NUL)."""
    size = _rego.regoNodeValueSize(node)
    buffer = ctypes.create_string_buffer(size)
    if _rego.regoNodeValue(node, buffer, size) != _OK:
        raise AmbiguousResult("a scalar in the result could not be read")
    return buffer.raw[: max(size - 1, 0)]


def _error_text(output: int) -> str:
    size = _rego.regoOutputJSONSize(output)
    buffer = ctypes.create_string_buffer(size)
    _rego.regoOutputJSON(output, buffer, size)
    return buffer.raw[: max(size - 1, 0)].decode("utf-8", errors="replace").strip()[:300]
