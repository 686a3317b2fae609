"""`Simulator`: one faithful fake of TikTok Shop, the Business API behind Composio, and the
public creative sources, with a virtual clock, fault injection and full inspection."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from shopwarden.platforms.simulator import saved_state
from shopwarden.platforms.simulator.asgi import make_asgi_app
from shopwarden.platforms.simulator.composio_backend import complete_consent
from shopwarden.platforms.simulator.context import RecordedRequest, SimContext
from shopwarden.platforms.simulator.control import handle_control, is_control
from shopwarden.platforms.simulator.dispatch import Dispatcher, Outcome
from shopwarden.platforms.simulator.faults import FaultPlan
from shopwarden.platforms.simulator.market import close_day, days_ending_between
from shopwarden.platforms.simulator.scenario import Scenario, load_scenario
from shopwarden.platforms.simulator.seeding import build_world
from shopwarden.platforms.simulator.shop_auth import issue_auth_code
from shopwarden.platforms.simulator.transport import SimulatorTransport
from shopwarden.platforms.simulator.wire import SimRequest
from shopwarden.platforms.simulator.world import IdMaker, VirtualClock, World, diff, snapshot_of


@dataclass(frozen=True)
class SimCredentials:
    """The credentials a scenario declares (simulator values, not real secrets)."""

    app_key: str
    app_secret: str
    service_id: str
    composio_api_key: str
    composio_auth_config_id: str
    client_key: str
    client_secret: str
    ads_app_id: str = ""
    ads_app_secret: str = ""

    def __repr__(self) -> str:
        return f"SimCredentials(app_key={self.app_key!r}, service_id={self.service_id!r}, secrets=hidden)"

    def settings_env(self, base_url: str | None = None) -> dict[str, str]:
        """SHOPWARDEN_* variables that point shopwarden at this simulator (base_url when served)."""
        env = {
            "SHOPWARDEN_SHOP_APP_KEY": self.app_key,
            "SHOPWARDEN_SHOP_APP_SECRET": self.app_secret,
            "SHOPWARDEN_SHOP_SERVICE_ID": self.service_id,
            "SHOPWARDEN_COMPOSIO_API_KEY": self.composio_api_key,
            "SHOPWARDEN_COMPOSIO_AUTH_CONFIG_ID": self.composio_auth_config_id,
            "SHOPWARDEN_COMMERCIAL_CONTENT_CLIENT_KEY": self.client_key,
            "SHOPWARDEN_COMMERCIAL_CONTENT_CLIENT_SECRET": self.client_secret,
            "SHOPWARDEN_ADS_APP_ID": self.ads_app_id,
            "SHOPWARDEN_ADS_APP_SECRET": self.ads_app_secret,
            "SHOPWARDEN_ADS_REDIRECT_URI": "http://127.0.0.1:8000/oauth/tiktok-ads/callback",
        }
        if base_url:
            env.update({
                "SHOPWARDEN_SIMULATOR_URL": base_url,  # the one clock: tokens, reports and schedules use its time
                "SHOPWARDEN_SHOP_API_BASE": base_url,
                "SHOPWARDEN_SHOP_AUTH_BASE": base_url,
                "SHOPWARDEN_SHOP_AUTHORIZE_BASE": f"{base_url}/open/authorize",
                "SHOPWARDEN_COMPOSIO_BASE_URL": base_url,
                "SHOPWARDEN_ADS_API_BASE": f"{base_url}/open_api/v1.3",
                "SHOPWARDEN_CREATIVE_SOURCES_BASE": base_url,
                "SHOPWARDEN_ADS_AUTHORIZE_BASE": f"{base_url}/portal/auth",
            })
        return env


class Simulator:
    """The simulated platforms. Build one with `Simulator.from_scenario(path_or_dict, seed=0)`."""

    def __init__(self, scenario: Scenario, seed: int = 0, *, skew_reference: str = "virtual",
                 composio_hosts: tuple[str, ...] = ()) -> None:
        if skew_reference not in ("virtual", "wall"):
            raise ValueError("skew_reference must be 'virtual' or 'wall'")
        rng = random.Random(seed)
        ids = IdMaker(rng)
        faults = FaultPlan()
        for spec in scenario.faults:
            faults.add(spec.path, spec.kind, times=spec.times, seconds=spec.seconds, method=spec.method,
                       retry_after=spec.retry_after)
        self.scenario = scenario
        self.seed = seed
        world = build_world(scenario, rng, ids)
        self._ctx = SimContext(scenario=scenario, world=world, clock=VirtualClock(scenario.start), rng=rng, ids=ids,
                               faults=faults, skew_reference=skew_reference)
        self._dispatcher = Dispatcher(self._ctx, frozenset(h.lower() for h in composio_hosts))
        self._lock = threading.RLock()
        self._saved_at: Path | None = None  # the state file this simulator shares with other processes
        self._saved_stamp: tuple[int, int] | None = None
        self._sync_depth = 0

    @classmethod
    def from_scenario(cls, source: str | Path | dict[str, Any], seed: int = 0, **options: Any) -> Simulator:
        """Load a scenario (YAML path or dict) and build its world; ScenarioError if it is malformed."""
        return cls(load_scenario(source), seed, **options)

    # --- a state shared with later processes through a file -------------------------------

    @classmethod
    def from_saved(cls, path: Path) -> Simulator:
        """The simulator a `keep_in(path)` left behind, carrying on from its saved state (and saving to it)."""
        path = Path(path)
        with saved_state.exclusive(path):
            state = saved_state.read_state(path)
            try:
                simulator = cls(Scenario.model_validate(state["scenario"]), int(state["seed"]),
                                skew_reference=state["skew_reference"])
                saved_state.restore_into(simulator._ctx, state)
            except (KeyError, TypeError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
                raise saved_state.SavedStateError(path, f"does not hold a complete state ({exc!r:.200})") from None
            simulator._saved_at, simulator._saved_stamp = path, saved_state.stamp(path)
        return simulator

    def keep_in(self, path: Path) -> None:
        """Save the state to `path` now and after every request or clock move from here on, reloading first
        whenever another process changed it: processes built with `from_saved(path)` share this world."""
        path = Path(path)
        with self._lock, saved_state.exclusive(path):
            saved_state.write_state(path, saved_state.state_of(self._ctx, self.seed))
            self._saved_at, self._saved_stamp = path, saved_state.stamp(path)

    @contextmanager
    def _synced(self) -> Iterator[None]:
        """Within: this process alone holds the shared state, up to date; after: it is written back."""
        with self._lock:
            if self._saved_at is None or self._sync_depth:
                self._sync_depth += 1
                try:
                    yield
                finally:
                    self._sync_depth -= 1
                return
            path = self._saved_at
            with saved_state.exclusive(path):
                if saved_state.stamp(path) != self._saved_stamp:
                    saved_state.restore_into(self._ctx, saved_state.read_state(path))
                self._sync_depth += 1
                try:
                    yield
                finally:
                    self._sync_depth -= 1
                    saved_state.write_state(path, saved_state.state_of(self._ctx, self.seed))
                    self._saved_stamp = saved_state.stamp(path)

    def _refreshed(self) -> None:
        """Reload the shared state if another process changed it (for reads that change nothing)."""
        path = self._saved_at
        if path is None or saved_state.stamp(path) == self._saved_stamp:
            return
        with self._lock, saved_state.exclusive(path):
            if saved_state.stamp(path) != self._saved_stamp:
                saved_state.restore_into(self._ctx, saved_state.read_state(path))
                self._saved_stamp = saved_state.stamp(path)

    # --- the world -----------------------------------------------------------------------

    @property
    def clock(self) -> VirtualClock:
        return self._ctx.clock

    @property
    def world(self) -> World:
        self._refreshed()
        return self._ctx.world

    @property
    def faults(self) -> FaultPlan:
        return self._ctx.faults

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._ctx.requests

    def advance(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> None:
        """Move the virtual clock forward; every day that ends on the way is simulated."""
        step = timedelta(days=days, hours=hours, minutes=minutes)
        if step < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._synced():
            before = self.clock.now()
            after = before + step
            for day in days_ending_between(before, after, ZoneInfo(self.world.timezone)):
                close_day(self.world, day, self._market_rng(day), self._ctx.ids)
            self.clock._move_to(after)

    def now(self) -> datetime:
        self._refreshed()
        return self.clock.now()

    def serve_at(self, base_url: str) -> None:
        """Links the simulator hands out (Composio consent) point at `base_url`, where it is served."""
        self._ctx.public_base = base_url.rstrip("/")

    def _market_rng(self, day: date) -> random.Random:
        """A day's market draws depend only on the seed and the day, never on how many requests
        (tokens, ids) came before: two runs of a scenario differ only by what their agents did."""
        return random.Random(f"{self.seed}:market:{day.isoformat()}")

    # --- inspection and test helpers ------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The full state as plain data, for final-state assertions and diffs."""
        self._refreshed()
        with self._lock:
            return snapshot_of(self.world, self.clock.now())

    @staticmethod
    def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
        """Leaves that changed between two snapshots: {dotted.path: (before, after)}."""
        return diff(before, after)

    @property
    def credentials(self) -> SimCredentials:
        s = self.scenario
        return SimCredentials(app_key=s.app.app_key, app_secret=s.app.app_secret, service_id=s.app.service_id,
                              composio_api_key=s.composio.api_key, composio_auth_config_id=s.composio.auth_config_id,
                              client_key=s.creative.client_key, client_secret=s.creative.client_secret,
                              ads_app_id=s.ads_app.app_id, ads_app_secret=s.ads_app.secret)

    def issue_auth_code(self, merchant_id: str | None = None) -> str:
        """The auth code the merchant's 'Authorize' click would deliver to the redirect URL."""
        with self._synced():
            return issue_auth_code(self._ctx, merchant_id or next(iter(self.world.merchants)))

    def revoke_shop_tokens(self, merchant_id: str | None = None) -> None:
        """The seller deauthorizes the app: every token of theirs stops working."""
        merchant_id = merchant_id or next(iter(self.world.merchants))
        with self._synced():
            for token in self.world.shop_tokens.values():
                if token.merchant_id == merchant_id:
                    token.revoked = True

    def complete_connection(self, connected_account_id: str, merchant_id: str | None = None) -> None:
        """The merchant approves the TikTok Ads consent screen for a Composio connection."""
        with self._synced():
            complete_consent(self._ctx, connected_account_id, merchant_id)

    def revoke_connection(self, connected_account_id: str) -> None:
        """The merchant revokes the TikTok Ads authorization behind a Composio connection."""
        with self._synced():
            account = self.world.connected_accounts[connected_account_id]
            account.status = "REVOKED"

    # --- serving ----------------------------------------------------------------------------

    def handle(self, request: SimRequest, wall_now: float | None = None) -> Outcome:
        """Answer one request (used by the transport and the ASGI app)."""
        with self._synced():
            if is_control(request):
                return Outcome(response=handle_control(self, request))
            return self._dispatcher.handle(request, time.time() if wall_now is None else wall_now)

    def transport(self) -> SimulatorTransport:
        """An httpx transport for httpx.Client and httpx.AsyncClient."""
        return SimulatorTransport(self)

    def asgi_app(self) -> Any:
        """The same simulator as an ASGI app (see `shopwarden sim serve`)."""
        return make_asgi_app(self)
