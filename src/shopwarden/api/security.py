"""Cross-site request refusal for the console's state-changing requests.

A browser tells us where a request comes from: `Sec-Fetch-Site` (Chromium, Firefox, Safari) and
`Origin` (sent on every POST). A page on another port of the same host is the same *site*
(so SameSite cookies are still sent) but another *origin*: we compare origins, not sites. Requests
without either header (a script, curl) still need the session's CSRF token.
"""

from __future__ import annotations

from fastapi import Request

ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})


def cross_origin_reason(request: Request) -> str | None:
    """Why the request is refused as cross-origin, or None when nothing says it is."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ALLOWED_FETCH_SITES:
        return f"the browser reports this request as {fetch_site[:20]}"
    origin = request.headers.get("origin")
    if origin is not None and origin != own_origin(request):
        return "the request comes from another origin"
    return None


def own_origin(request: Request) -> str:
    host = request.headers.get("host", "")
    return f"{request.url.scheme}://{host}"

