"""TikTok Shop Open API request signing (HMAC-SHA256), in one function."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

EXCLUDED_KEYS = frozenset({"sign", "access_token"})


def _as_text(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def string_to_sign(
    app_secret: str,
    path: str,
    query: Mapping[str, str | Sequence[str]],
    body: bytes | str = b"",
) -> bytes:
    """The bytes that get signed: secret + path + sorted key/value pairs + body + secret."""
    pairs = sorted(
        ((k, _as_text(v)) for k, v in query.items() if k not in EXCLUDED_KEYS),
        key=lambda kv: kv[0].encode(),
    )
    body_bytes = body.encode() if isinstance(body, str) else body
    head = path + "".join(k + v for k, v in pairs)
    secret = app_secret.encode()
    return secret + head.encode() + body_bytes + secret


def sign(
    app_secret: str,
    path: str,
    query: Mapping[str, str | Sequence[str]],
    body: bytes | str = b"",
) -> str:
    """Lowercase hex HMAC-SHA256 of the request, keyed with the app secret.

    `query` holds the decoded values; `body` must be the exact bytes sent (pass b"" for
    multipart requests, whose body is not signed).
    """
    message = string_to_sign(app_secret, path, query, body)
    return hmac.new(app_secret.encode(), message, hashlib.sha256).hexdigest()


def verify_webhook(app_secret: str, app_key: str, raw_body: bytes, signature: str) -> bool:
    """Webhook `Authorization` header: hex HMAC-SHA256(app_secret, app_key + raw body)."""
    expected = hmac.new(app_secret.encode(), app_key.encode() + raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())
