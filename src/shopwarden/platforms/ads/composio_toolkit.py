"""What Composio's `tiktok_ads` toolkit will do with our proxied calls, read at connect time.

Composio keeps (and redacts) the TikTok token, so shopwarden cannot add TikTok's `Access-Token`
header itself: the toolkit's injection rule must add it. That rule and the toolkit's base URL come
from `composio.toolkits.get("tiktok_ads")`; a connection whose rule does not send `Access-Token`,
or whose base URL is on another registrable domain than the Business API (Composio would answer
OriginMismatch), is refused with a message saying what to configure.

(uncertain) Composio does not document where a toolkit states its injected header. We read a
`headers` mapping (header name -> template) on the OAUTH2 scheme's `proxy` details, and fall back
to nothing (which refuses the connection). This function is the one place to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from composio import Composio

from shopwarden.errors import ConfigError

TOOLKIT_SLUG = "tiktok_ads"  # `tiktok` is TikTok's content API, not the Business API
AUTH_SCHEME = "OAUTH2"
ACCESS_TOKEN_HEADER = "Access-Token"
SETTING = "SHOPWARDEN_COMPOSIO_AUTH_CONFIG_ID"


@dataclass(frozen=True)
class ToolkitRule:
    base_url: str
    injected_headers: tuple[str, ...]

    @property
    def sends_access_token(self) -> bool:
        return any(h.lower() == ACCESS_TOKEN_HEADER.lower() for h in self.injected_headers)


def registrable_domain(url: str) -> tuple[str, str]:
    """(scheme, registrable domain) of a URL: the last two host labels, which is right for tiktok.com."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme.lower(), ".".join(host.split(".")[-2:])


def same_origin_domain(url: str, base_url: str) -> bool:
    """Composio's proxy rule: an absolute endpoint shares scheme and registrable domain with base_url."""
    return registrable_domain(url) == registrable_domain(base_url)


def rule_from(toolkit: Any) -> ToolkitRule:
    """The injection rule and base URL a toolkit description gives (see the module note)."""
    base_url = str(getattr(toolkit, "base_url", None) or "")
    headers: tuple[str, ...] = ()
    for detail in getattr(toolkit, "auth_config_details", None) or []:
        if str(getattr(detail, "mode", "")).upper() != AUTH_SCHEME:
            continue
        proxy = getattr(detail, "proxy", None)
        if proxy is None:
            continue
        base_url = str(getattr(proxy, "base_url", None) or base_url)
        declared = (getattr(proxy, "model_extra", None) or {}).get("headers")
        if isinstance(declared, dict):
            headers = tuple(str(name) for name in declared)
    return ToolkitRule(base_url=base_url, injected_headers=headers)


def read_toolkit_rule(composio: Composio) -> ToolkitRule:
    return rule_from(composio.toolkits.get(TOOLKIT_SLUG))


def check_rule(rule: ToolkitRule, api_base: str) -> None:
    """Refuse a connection through which TikTok's Business API calls cannot work."""
    if not rule.sends_access_token:
        sent = ", ".join(rule.injected_headers) or "no header it documents"
        raise ConfigError(SETTING, (
            f"Composio's {TOOLKIT_SLUG} toolkit injects {sent}, not TikTok's {ACCESS_TOKEN_HEADER} header, so every "
            f"Business API call would fail with 40104; configure the auth config's proxy to send "
            f"{ACCESS_TOKEN_HEADER}: <access token> (no Bearer prefix), or connect with `shopwarden connect ads "
            f"--native`"))
    if rule.base_url and not same_origin_domain(api_base, rule.base_url):
        scheme, domain = registrable_domain(rule.base_url)
        raise ConfigError("SHOPWARDEN_ADS_API_BASE", (
            f"{api_base} is not on the {TOOLKIT_SLUG} connection's domain {scheme}://{domain}, so Composio would "
            "refuse every call (OriginMismatch); use the toolkit's base URL"))
