"""Simulator throughput in-process: requests per second for signed Shop GETs, Composio proxy
Business calls (raw httpx and through the real composio SDK), a full large-catalog sync, and
simulated days."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from shopwarden.platforms.shop.signing import sign
from shopwarden.platforms.simulator import Simulator

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "evals" / "scenarios" / "small_shop.yaml"
LARGE = ROOT / "evals" / "scenarios" / "large_catalog.yaml"
ROUNDS = 2_000
ADVERTISER = "7000000000000000001"


def _rate(label: str, fn: Callable[[], object], rounds: int = ROUNDS) -> None:
    fn()  # warm up
    start = time.perf_counter()
    for _ in range(rounds):
        fn()
    elapsed = time.perf_counter() - start
    print(f"{label:<52} {rounds / elapsed:>9,.0f} req/s  ({elapsed / rounds * 1e6:,.0f} µs/req)")


def _token(sim: Simulator, http: httpx.Client) -> str:
    creds = sim.credentials
    return http.get("https://auth.tiktok-shops.com/api/v2/token/get", params={
        "app_key": creds.app_key, "app_secret": creds.app_secret, "auth_code": sim.issue_auth_code(),
        "grant_type": "authorized_code"}).json()["data"]["access_token"]


def _signed_get(sim: Simulator, http: httpx.Client, token: str, path: str, cipher: str) -> Callable[[], object]:
    def call() -> object:
        query = {"app_key": sim.credentials.app_key, "timestamp": str(sim.clock.timestamp()), "shop_cipher": cipher}
        query["sign"] = sign(sim.credentials.app_secret, path, query)
        answer = http.get(f"https://open-api.tiktokglobalshop.com{path}", params=query,
                          headers={"x-tts-access-token": token, "content-type": "application/json"}).json()
        assert answer["code"] == 0, answer
        return answer

    return call


def _catalog_sync(sim: Simulator, http: httpx.Client, token: str, cipher: str) -> tuple[int, int]:
    path, page_token, products, pages = "/product/202309/products/search", "", 0, 0
    body = json.dumps({}).encode()
    while True:
        query = {"app_key": sim.credentials.app_key, "timestamp": str(sim.clock.timestamp()), "shop_cipher": cipher,
                 "page_size": "100", **({"page_token": page_token} if page_token else {})}
        query["sign"] = sign(sim.credentials.app_secret, path, query, body)
        data = http.post(f"https://open-api.tiktokglobalshop.com{path}", params=query, content=body,
                         headers={"x-tts-access-token": token, "content-type": "application/json"}).json()["data"]
        products += len(data["products"])
        pages += 1
        page_token = data["next_page_token"]
        if not page_token:
            return products, pages


def main() -> None:
    sim = Simulator.from_scenario(SMALL)
    with httpx.Client(transport=sim.transport()) as http:
        token = _token(sim, http)
        cipher = "ROW_sim_cipher_glowhome_us"
        _rate("signed Shop GET /logistics/202309/warehouses",
              _signed_get(sim, http, token, "/logistics/202309/warehouses", cipher))
        _rate("signed Shop GET /product/202309/products/{id}",
              _signed_get(sim, http, token, "/product/202309/products/1729000000000000001", cipher))
        proxy_body = {"connected_account_id": "ca_demo_ads", "endpoint": "/campaign/get/", "method": "GET",
                      "parameters": [{"name": "advertiser_id", "type": "query", "value": ADVERTISER}]}
        headers = {"x-api-key": sim.credentials.composio_api_key}
        _rate("Composio proxy campaign/get (raw httpx)", lambda: http.post(
            "https://backend.composio.dev/api/v3.1/tools/execute/proxy", json=proxy_body, headers=headers).json())
    from composio import Composio

    composio = Composio(api_key=sim.credentials.composio_api_key, base_url="https://backend.composio.dev",
                        http_client=httpx.Client(transport=sim.transport()))
    _rate("Composio proxy campaign/get (real composio SDK)", lambda: composio.tools.proxy(
        endpoint="/campaign/get/", method="GET", connected_account_id="ca_demo_ads",
        parameters=[{"name": "advertiser_id", "type": "query", "value": ADVERTISER}]))

    start = time.perf_counter()
    large = Simulator.from_scenario(LARGE)
    built = time.perf_counter() - start
    with httpx.Client(transport=large.transport()) as http:
        token = _token(large, http)
        start = time.perf_counter()
        products, pages = _catalog_sync(large, http, token, "ROW_sim_cipher_bigcatalog_us")
        synced = time.perf_counter() - start
    print(f"large catalog: built 10,000 products / 30,000 SKUs in {built:.2f} s; "
          f"full search sync {products:,} products in {pages} pages: {synced:.2f} s ({pages / synced:,.0f} pages/s)")
    start = time.perf_counter()
    sim.advance(days=30)
    print(f"small_shop: 30 simulated days in {time.perf_counter() - start:.3f} s")
    _saved_state(sim)


def _saved_state(sim: Simulator) -> None:
    """What sharing the simulator through a file costs (`make demo`'s leftovers): each request is saved."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "simulator.json"
        sim.keep_in(path)
        start = time.perf_counter()
        Simulator.from_saved(path)
        print(f"saved small_shop after 30 days: {path.stat().st_size / 1024:,.0f} KiB; rebuilt from the file in "
              f"{(time.perf_counter() - start) * 1000:,.0f} ms")
        with httpx.Client(transport=sim.transport()) as http:
            _rate("signed Shop GET, state saved after each request",
                  _signed_get(sim, http, _token(sim, http), "/logistics/202309/warehouses",
                              "ROW_sim_cipher_glowhome_us"), rounds=20)


if __name__ == "__main__":
    main()
