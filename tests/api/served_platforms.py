"""The simulator and the console served over HTTP, the console's settings pointing at the simulator."""

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

from browser_support import serve_app

from shopwarden.api import create_app
from shopwarden.config import get_settings
from shopwarden.platforms.simulator import Simulator
from shopwarden.security.connections import reset_vault_cache

SIM_ADVERTISER = "7000000000000000001"  # small_shop's advertiser


@contextmanager
def console_over_simulator(engine, runtime, monkeypatch) -> Iterator[SimpleNamespace]:
    """The simulator and the console, each on its own port; the console's settings point at the
    simulator (as `shopwarden sandbox` does) and TikTok Shop's registered redirect URL at the console."""
    sim = Simulator.from_scenario("small_shop", seed=5)
    with serve_app(sim.asgi_app()) as sim_url, serve_app(create_app(engine, lambda: runtime)) as base:
        sim.serve_at(sim_url)
        sim.scenario.app.redirect_url = f"{base}/console/merchant/connections/shop/callback"
        for name, value in sim.credentials.settings_env(sim_url).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("SHOPWARDEN_ADS_REDIRECT_URI", f"{base}/console/merchant/connections/ads/callback")
        get_settings.cache_clear()
        reset_vault_cache()
        runtime.settings = get_settings()
        yield SimpleNamespace(sim=sim, sim_url=sim_url, base=base)
