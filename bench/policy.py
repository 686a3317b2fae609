"""Per-decision latency: embedded regopy (bundle reused) vs the OPA-server path over loopback.

    .venv/bin/python bench/policy.py [--n 2000]

The OPA side is the regopy-backed stand-in (no real `opa` binary here), reached through
opa-python-client over HTTP, so the ratio measures the price of the network hop and JSON.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from shopwarden.policy import EmbeddedEngine, OpaServerEngine, PolicyBundle
from shopwarden.policy.contract import PolicyInput
from shopwarden.policy.testing.opa_standin import OpaStandin

POLICIES_DIR = Path(__file__).resolve().parents[1] / "policies"

INPUTS = {
    "read": {
        "tool": "list_campaigns",
        "action": "read",
        "now": "2024-05-01T18:00:00Z",
        "merchant": {"id": "m-acme", "autonomy": "guarded", "limits": {}},
        "agent": {"id": "growth-marketer", "allowed_tools": ["list_campaigns", "update_budget"]},
        "args": {"advertiser_id": "adv-1"},
        "state": {"resource_merchant_id": "m-acme"},
    },
    "budget": {
        "tool": "update_budget",
        "action": "mutate",
        "now": "2024-05-01T18:00:00Z",
        "merchant": {"id": "m-acme", "autonomy": "guarded", "limits": {}},
        "agent": {"id": "growth-marketer", "allowed_tools": ["list_campaigns", "update_budget"]},
        "args": {"advertiser_id": "adv-1", "object_type": "campaign", "object_id": "c-1", "budget": "150.00"},
        "state": {
            "object_name": "Summer Sale",
            "current_budget": "100.00",
            "start_of_day_budget": "100.00",
            "day": "2024-05-01",
            "account_increase_today": "0",
            "resource_merchant_id": "m-acme",
        },
    },
}


def percentiles_ms(decide: Callable[[], object], n: int) -> tuple[float, float]:
    for _ in range(min(50, n)):
        decide()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        decide()
        samples.append((time.perf_counter() - start) * 1000)
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49], cuts[98]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000, help="decisions per measurement")
    n = parser.parse_args().n
    bundle = PolicyBundle.load(POLICIES_DIR)
    embedded = EmbeddedEngine(bundle)
    print(f"policy version {bundle.version}; {n} decisions per row; times in ms")
    print(f"{'input':8} {'path':32} {'p50':>8} {'p99':>8}")
    with OpaStandin() as server:
        opa = OpaServerEngine(server.url, bundle, timeout=5.0)
        opa.push()
        for name, raw in INPUTS.items():
            policy_input = PolicyInput.model_validate(raw)
            document = policy_input.to_document()
            assert embedded.decide(policy_input) == opa.decide(policy_input), "engines disagree"
            rows = {
                "embedded decide()": percentiles_ms(lambda pi=policy_input: embedded.decide(pi), n),
                "embedded rego eval only": percentiles_ms(lambda d=document: embedded._evaluate(d), n),
                "opa stand-in over loopback": percentiles_ms(lambda pi=policy_input: opa.decide(pi), max(200, n // 5)),
            }
            for path, (p50, p99) in rows.items():
                print(f"{name:8} {path:32} {p50:8.3f} {p99:8.3f}")
            ratio = rows["opa stand-in over loopback"][0] / rows["embedded decide()"][0]
            print(f"{name:8} {'ratio opa/embedded (p50)':32} {ratio:8.1f}x")
        opa.close()
    print("target: embedded p50 <= 0.2 ms")


if __name__ == "__main__":
    main()
