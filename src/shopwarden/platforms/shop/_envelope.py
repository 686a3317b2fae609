"""Reading one TikTok Shop response: the `{code, message, request_id, data}` envelope and its data model."""

from __future__ import annotations

import json
from typing import TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from shopwarden.errors import PlatformError, PlatformUnavailable
from shopwarden.platforms.shop._errors import PLATFORM, ErrorRule, build_error, rule_for
from shopwarden.platforms.shop.models import Envelope
from shopwarden.security.redaction import redact_text

M = TypeVar("M", bound=BaseModel)
REQUEST_ID_HEADER = "x-tt-logid"


class EnvelopeFailure(Exception):
    """An error answer, with the rule that says how to recover from it."""

    def __init__(self, rule: ErrorRule, error: PlatformError) -> None:
        super().__init__(str(error))
        self.rule = rule
        self.error = error


def _unreadable(endpoint: str, reason: str, request_id: str | None) -> PlatformUnavailable:
    return PlatformUnavailable(f"unreadable response: {reason}", platform=PLATFORM, endpoint=endpoint,
                               request_id=request_id)


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None


def read_envelope(response: httpx.Response, endpoint: str) -> Envelope:
    """The envelope of a successful answer; raises EnvelopeFailure for any error answer."""
    header_request_id = response.headers.get(REQUEST_ID_HEADER)
    try:
        envelope = Envelope.model_validate(json.loads(response.content))
    except (ValueError, ValidationError):
        if response.status_code != 200:
            rule = rule_for(None, response.status_code)
            error = build_error(rule, endpoint=endpoint, code=None, message=f"HTTP {response.status_code}",
                                request_id=header_request_id, retry_after=_retry_after(response))
            raise EnvelopeFailure(rule, error) from None
        raise _unreadable(endpoint, "not a JSON envelope (truncated or malformed)", header_request_id) from None
    if envelope.code == 0 and response.status_code == 200:
        return envelope
    code = envelope.code if envelope.code != 0 else None
    rule = rule_for(code, response.status_code)
    error = build_error(rule, endpoint=endpoint, code=code, message=redact_text(envelope.message),
                        request_id=envelope.request_id or header_request_id, retry_after=_retry_after(response))
    raise EnvelopeFailure(rule, error)


def read_data(envelope: Envelope, model: type[M], endpoint: str) -> M:
    """The envelope's data as `model`; a missing or wrong-typed field names itself."""
    try:
        return model.model_validate(envelope.data if envelope.data is not None else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "data"
        raise _unreadable(endpoint, f"field data.{where}: {first.get('msg', 'invalid')}",
                          envelope.request_id) from None
