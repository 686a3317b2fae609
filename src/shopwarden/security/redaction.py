"""Keep secrets out of audit rows and logs.

Two nets:

1. **Secret-looking keys.** A value stored under a key that names a credential is masked
   whatever it holds: `*token*`, `*secret*`, `*password*`/`*passwd*`, `*authorization*`,
   `*credential*`, `*cookie*`, `auth_code`, `sign`/`signature`, `ciphertext`, and `key` as a
   whole word (`key`, `api_key`, `x-api-key`, `private_key`, `master_key`, `access_key`).
2. **Registered values.** Any string containing a value passed to `register_secret` (tokens
   the vault decrypted or a platform issued, configured keys) is masked wherever it appears,
   under any key, in free text, in log lines.

Deliberately *not* masked, although their names look secret, because they are public
identifiers an auditor needs to trace a call and grant nothing on their own:

- `shop_cipher` / `cipher`: TikTok's opaque shop identifier, sent in every shop-scoped query
  string; useless without the access token (which is masked).
- `app_key`: the TikTok Shop App Key, an app identifier sent in every query string (the App
  Secret is masked).
- `idempotency_key`: our own random de-duplication id, needed to trace a write after a crash.
- `page_token` / `next_page_token`: paging cursors.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from typing import Any

MASK = "***"
_SECRET_KEY = re.compile(
    r"token|secret|passw(or)?d|authorization|credential|cookie|ciphertext|^auth[_-]?code$|^sign(ature)?$"
    r"|(^|[_-])key$",
    re.IGNORECASE,
)
PUBLIC_IDENTIFIERS = frozenset({"shop_cipher", "cipher", "app_key", "idempotency_key", "page_token",
                                "next_page_token"})
_MIN_SECRET_LENGTH = 6  # shorter values would mask ordinary words

_lock = threading.Lock()
_secrets: set[str] = set()
_by_length: tuple[str, ...] = ()


def register_secret(value: str | None) -> None:
    """Mask this exact value wherever it later shows up in an audit row or a log line."""
    global _by_length
    if value and len(value) >= _MIN_SECRET_LENGTH and value not in _secrets:
        with _lock:
            _secrets.add(value)
            # Longest first, so a secret that contains another is masked whole.
            _by_length = tuple(sorted(_secrets, key=len, reverse=True))


@functools.lru_cache(maxsize=4096)  # a pure function of the name: every audit row asks it again for the same keys
def is_secret_key(key: str) -> bool:
    return key.lower() not in PUBLIC_IDENTIFIERS and bool(_SECRET_KEY.search(key))


def redact_text(text: str) -> str:
    for secret in _by_length:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact(value: Any) -> Any:
    """A copy of `value` with secrets masked (dicts, lists and strings, recursively)."""
    if isinstance(value, dict):
        return {k: (MASK if isinstance(k, str) and is_secret_key(k) and v not in (None, "") else redact(v))
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def _clean(record: logging.LogRecord) -> None:
    message = record.getMessage()
    cleaned = redact_text(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and not record.exc_text:
        # Tracebacks quote arguments and URLs; format now so the text can be cleaned.
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact_text(record.exc_text)


class RedactingFilter(logging.Filter):
    """Masks registered secrets in every log record that passes through a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        _clean(record)
        return True


_factory_installed = False


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Mask registered secrets in log records.

    With no logger: every record of every logger is cleaned as it is created (a log record
    factory), so handlers added later (pytest, uvicorn, basicConfig) never see a secret.
    With a logger: a filter on it and its current handlers.
    """
    global _factory_installed
    if logger is None and not _factory_installed:
        create = logging.getLogRecordFactory()

        def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = create(*args, **kwargs)
            _clean(record)
            return record

        logging.setLogRecordFactory(redacting_factory)
        _factory_installed = True
    target = logger or logging.getLogger()
    if not any(isinstance(f, RedactingFilter) for f in target.filters):
        target.addFilter(RedactingFilter())
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
