"""The simulator's request and response shapes, and the platform error envelopes.

Handlers raise `Refusal` to answer with the platform's `{code, message, request_id, data}`
envelope; they never let a Python error reach the client.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class SimRequest:
    """One HTTP request as the simulator sees it, whatever carried it (transport or ASGI)."""

    method: str
    host: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    raw_query: str = ""

    @classmethod
    def build(
        cls, method: str, host: str, path: str, raw_query: str, headers: dict[str, str], body: bytes
    ) -> SimRequest:
        query = dict(parse_qsl(raw_query, keep_blank_values=True))
        return cls(
            method=method.upper(),
            host=host.lower(),
            path=path,
            query=query,
            headers={k.lower(): v for k, v in headers.items()},
            body=body,
            raw_query=raw_query,
        )

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json_body(self) -> Any:
        """The parsed JSON body, or None when there is none. Raises ValueError on bad JSON."""
        if not self.body.strip():
            return None
        return json.loads(self.body)


@dataclass
class SimResponse:
    """What the simulator answers. `body` is JSON-encodable unless `raw` is set."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None

    def content(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return json.dumps(self.body, default=_json_default, separators=(",", ":")).encode()

    def all_headers(self) -> dict[str, str]:
        return {"content-type": "application/json", **self.headers}

    def envelope_code(self) -> int | str | None:
        """The platform code inside the body, for the request log."""
        if isinstance(self.body, dict):
            for key in ("code",):
                if key in self.body:
                    return self.body[key]
            inner = self.body.get("data")
            if isinstance(inner, dict) and "code" in inner:
                return inner["code"]
        return None


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


class Refusal(Exception):
    """A platform refusal: becomes an error envelope with this code and message."""

    def __init__(self, code: int, message: str, *, http_status: int = 200, data: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status
        self.data = data
        self.headers = headers or {}


def envelope(request_id: str, data: Any = None, *, code: int = 0, message: str = "Success",
             message_key: str = "message") -> dict[str, Any]:
    """TikTok's envelope. The Creative Center spells `message` as `msg`."""
    return {"code": code, message_key: message, "request_id": request_id, "data": data if data is not None else {}}


def refusal_response(refusal: Refusal, request_id: str, *, message_key: str = "message") -> SimResponse:
    body = envelope(request_id, refusal.data, code=refusal.code, message=refusal.message, message_key=message_key)
    return SimResponse(status=refusal.http_status, body=body, headers=dict(refusal.headers))
