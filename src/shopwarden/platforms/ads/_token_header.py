"""Who puts TikTok's `Access-Token` header on a proxied Business API call: the one place that decides.

Uncertain (platform-facts): Composio's proxy injects the connected account's credential the way
the auth config describes. For a Business-API auth config that should be TikTok's
`Access-Token` header, but Composio's public `tiktok` toolkit targets TikTok's content API
(bearer `Authorization`), and whether a Business-API auth config injects `Access-Token` is not
confirmed. So the choice is explicit:

- `INJECTED` (default): send no header; rely on the connection to add it.
- `FROM_CONNECTION`: read the connection's token from Composio at call time and send it as a
  header parameter. Composio may return the token masked; then the call cannot be made and
  the error says so (the token itself never reaches a message, log or our database).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from composio_client.types.tool_proxy_params import Parameter

from shopwarden.errors import ReauthRequired

HEADER_NAME = "Access-Token"  # no "Bearer" prefix on the Business API


class TokenHeaderMode(StrEnum):
    INJECTED = "injected"
    FROM_CONNECTION = "from_connection"


class AccessTokenHeader:
    """Decides the header parameters for each proxied call."""

    def __init__(self, mode: TokenHeaderMode = TokenHeaderMode.INJECTED,
                 read_token: Callable[[], str | None] | None = None) -> None:
        if mode is TokenHeaderMode.FROM_CONNECTION and read_token is None:
            raise ValueError("FROM_CONNECTION needs a way to read the connection's token")
        self.mode = mode
        self._read_token = read_token

    def parameters(self, *, reconnect_hint: str) -> tuple[list[Parameter], str | None]:
        """Header parameters to add, and the secret they carry (for redaction), if any."""
        if self.mode is TokenHeaderMode.INJECTED:
            return [], None
        assert self._read_token is not None
        token = self._read_token()
        if not token or "*" in token:
            raise ReauthRequired(
                "Composio did not return a usable TikTok access token for this connection (missing or masked), "
                f"so the Access-Token header cannot be sent; {reconnect_hint}",
                platform="composio", endpoint="connected_accounts",
            )
        return [{"name": HEADER_NAME, "type": "header", "value": token}], token

    def __repr__(self) -> str:
        return f"AccessTokenHeader(mode={self.mode.value})"
