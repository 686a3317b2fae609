"""Stand-ins for what a person does in a browser, plus clock control, for served use.

- `GET /open/authorize?service_id=&state=` (host services[.us].tiktokshop.com, or any host
  when served): the merchant clicks "Authorize"; answers 302 to the app's redirect URL
  with `code` and `state` (or JSON `{code, state}` when the scenario has no redirect URL).
- `POST /sim/advance?days=&hours=`: move the virtual clock (days close on the way).
- `GET /sim/snapshot`: the full state. `GET /sim/clock`: the virtual time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from shopwarden.platforms.simulator.wire import SimRequest, SimResponse

if TYPE_CHECKING:
    from shopwarden.platforms.simulator.simulator import Simulator

AUTHORIZE_HOSTS = frozenset({"services.tiktokshop.com", "services.us.tiktokshop.com"})
AUTHORIZE_PATH = "/open/authorize"
CONTROL_PREFIX = "/sim/"


def is_control(request: SimRequest) -> bool:
    if request.host in AUTHORIZE_HOSTS or request.path == AUTHORIZE_PATH:
        return True
    return request.path.startswith(CONTROL_PREFIX) and not request.path.startswith("/sim/consent/")


def _error(status: int, message: str) -> SimResponse:
    return SimResponse(status=status, body={"error": message})


def _authorize(sim: Simulator, request: SimRequest) -> SimResponse:
    if request.query.get("service_id") != sim.credentials.service_id:
        return _error(400, "unknown service_id: the authorization link is not for this app")
    merchant = request.query.get("merchant") or None
    if merchant is not None and merchant not in sim.world.merchants:
        return _error(404, f"no merchant {merchant} in the scenario")
    code, state = sim.issue_auth_code(merchant), request.query.get("state", "")
    redirect = sim.scenario.app.redirect_url
    if redirect:
        sep = "&" if "?" in redirect else "?"
        target = f"{redirect}{sep}{urlencode({'code': code, 'state': state})}"
        return SimResponse(status=302, body={"redirect": target}, headers={"location": target})
    return SimResponse(body={"code": code, "state": state})


def _advance(sim: Simulator, request: SimRequest) -> SimResponse:
    try:
        days = float(request.query.get("days", 0))
        hours = float(request.query.get("hours", 0))
        sim.advance(days=days, hours=hours)
    except ValueError as exc:
        return _error(400, f"days and hours must be non-negative numbers ({exc})")
    return SimResponse(body={"clock": sim.clock.now().isoformat()})


def handle_control(sim: Simulator, request: SimRequest) -> SimResponse:
    if request.path == AUTHORIZE_PATH and request.method == "GET":
        return _authorize(sim, request)
    if request.path == "/sim/advance" and request.method == "POST":
        return _advance(sim, request)
    if request.path == "/sim/snapshot" and request.method == "GET":
        return SimResponse(body=sim.snapshot())
    if request.path == "/sim/clock" and request.method == "GET":
        return SimResponse(body={"clock": sim.clock.now().isoformat(), "timestamp": sim.clock.timestamp()})
    return _error(404, f"no simulator control at {request.method} {request.path}")
