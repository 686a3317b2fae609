"""The one error tree of shopwarden.

    ShopwardenError
    ├── ConfigError                 a setting is missing or malformed (names the variable)
    ├── RunnerConflict              `schedule` and `worker` would run cycles on one database at once
    ├── VaultError                  encryption failures; never carries plaintext or key material
    │   ├── MasterKeyError          missing / malformed / unknown master key
    │   └── DecryptionError         tampered or mis-bound ciphertext
    ├── DatabaseError               the database is unreachable or a migration failed
    ├── PlatformError               a TikTok / Composio call failed (tool, platform code, request id)
    │   ├── AuthExpired             token expired or revoked; the connection needs attention
    │   │   └── ReauthRequired      refresh impossible: the merchant must reconnect
    │   ├── RateLimited             platform throttled us (retry_after seconds, if given)
    │   ├── InvalidRequest          the platform refused our request (no retry)
    │   ├── PlatformUnavailable     5xx / timeouts / malformed bodies (retry only idempotent calls)
    │   └── PartialFailure          the call succeeded for some items and failed for others
    ├── PolicyLoadError             a policy file or its data cannot be loaded (names file and line)
    ├── ApprovalError               an approval cannot move as asked
    │   └── ApprovalConflict        compare-and-set lost (already approved, executed, expired...)
    └── NotFound                    an object the caller named does not exist (or is not theirs)

Platform error codes are translated into this tree in one table per platform at the
adapter boundary, never inspected elsewhere.
"""

from __future__ import annotations

from typing import Any


class ShopwardenError(Exception):
    """Base of every error shopwarden raises on purpose."""


class ConfigError(ShopwardenError):
    """A required setting is missing or malformed."""

    def __init__(self, variable: str, reason: str) -> None:
        self.variable = variable
        super().__init__(f"{variable}: {reason}")


class RunnerConflict(ShopwardenError):
    """Another kind of cycle runner is already running on this database (see jobs/runners.py)."""


class VaultError(ShopwardenError):
    """Encryption or decryption failed. Messages never include secrets."""


class MasterKeyError(VaultError):
    """The master key is missing, malformed, or not the one a record was wrapped with."""


class DecryptionError(VaultError):
    """A ciphertext was tampered with or does not belong to this record."""


class DatabaseError(ShopwardenError):
    """The database is unreachable or its schema is not what we expect."""


class PlatformError(ShopwardenError):
    """A call to TikTok (directly or through Composio) failed."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        platform: str = "",
        endpoint: str = "",
        code: int | str | None = None,
        request_id: str | None = None,
        tool: str | None = None,
    ) -> None:
        self.platform = platform
        self.endpoint = endpoint
        self.code = code
        self.request_id = request_id
        self.tool = tool
        self.message = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = " ".join(p for p in (self.platform, self.endpoint) if p)
        details = []
        if self.code is not None:
            details.append(f"code {self.code}")
        if self.request_id:
            details.append(f"request id {self.request_id}")
        suffix = f" ({', '.join(details)})" if details else ""
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.message}{suffix}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": type(self).__name__,
            "message": self.message,
            "platform": self.platform,
            "endpoint": self.endpoint,
            "code": self.code,
            "request_id": self.request_id,
        }


class AuthExpired(PlatformError):
    """The access token expired or was revoked."""


class ReauthRequired(AuthExpired):
    """The connection cannot be refreshed; the merchant must reconnect."""


class PermissionDenied(PlatformError):
    """The credentials work but may not do this (a wrong or foreign id, a scope not granted).

    Not a token problem: the connection's state never changes because of it."""


class RateLimited(PlatformError):
    """The platform throttled the call."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)


class InvalidRequest(PlatformError):
    """The platform refused the request as invalid; retrying will not help."""


class PlatformUnavailable(PlatformError):
    """Server-side failure, timeout or unreadable response."""

    retryable = True


class PartialFailure(PlatformError):
    """Some items of a batch call failed."""

    def __init__(self, message: str, *, failures: list[dict[str, Any]], **kw: Any) -> None:
        self.failures = failures
        super().__init__(message, **kw)


class PolicyLoadError(ShopwardenError):
    """A Rego file or policy data cannot be loaded; start-up stops with the file and line."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if path and line else path
        super().__init__(f"{where}: {message}" if where else message)


class ApprovalError(ShopwardenError):
    """An approval cannot be moved as requested."""


class ApprovalConflict(ApprovalError):
    """Another actor moved the approval first, or it is no longer in the state required."""


class NotFound(ShopwardenError):
    """The named object does not exist or belongs to another merchant."""
