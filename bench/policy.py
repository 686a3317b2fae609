"""Per-decision latency, side by side in one run: regorus VM (default), regopy, OPA itself, and the
OPA-server path over loopback (stand-in on regopy and on OPA's evaluator).

    .venv/bin/python bench/policy.py [--n 2000]

"OPA in-process" is OPA 1.20 through opa-golib-python-bindings (test-only; `make test-deps`), so
the OPA figures are OPA's own evaluator plus a ctypes hop, and the server rows add HTTP and JSON.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from shopwarden.policy import EmbeddedEngine, OpaServerEngine, PolicyBundle, RegorusEngine
from shopwarden.policy.contract import PolicyInput
from shopwarden.policy.testing.opa_reference import OpaReferenceEngine
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
    regorus_vm, regopy_engine, opa = RegorusEngine(bundle), EmbeddedEngine(bundle), OpaReferenceEngine(bundle)
    print(f"policy version {bundle.version}; {n} decisions per row; times in ms")
    print(f"{'input':8} {'path':34} {'p50':>8} {'p99':>8}")
    with OpaStandin() as regopy_server, OpaStandin(evaluator="opa") as opa_server:
        servers = {name: OpaServerEngine(server.url, bundle, timeout=5.0)
                   for name, server in (("regopy", regopy_server), ("opa", opa_server))}
        for server in servers.values():
            server.push()
        for name, raw in INPUTS.items():
            policy_input = PolicyInput.model_validate(raw)
            document = policy_input.to_document()
            reference = opa.decide(policy_input)
            for engine in (regorus_vm, regopy_engine, *servers.values()):
                assert engine.decide(policy_input) == reference, f"{type(engine).__name__} disagrees with OPA"
            small = max(200, n // 5)
            rows = {
                "regorus VM decide() (default)": percentiles_ms(lambda pi=policy_input: regorus_vm.decide(pi), n),
                "regorus VM eval only": percentiles_ms(lambda d=document: regorus_vm._evaluate(d), n),
                "regopy decide()": percentiles_ms(lambda pi=policy_input: regopy_engine.decide(pi), n),
                "regopy eval only": percentiles_ms(lambda d=document: regopy_engine._evaluate(d), n),
                "OPA 1.20 in-process decide()": percentiles_ms(lambda pi=policy_input: opa.decide(pi), n),
                "server: regopy stand-in, HTTP": percentiles_ms(lambda pi=policy_input: servers["regopy"].decide(pi),
                                                                small),
                "server: OPA evaluator, HTTP": percentiles_ms(lambda pi=policy_input: servers["opa"].decide(pi), small),
            }
            for path, (p50, p99) in rows.items():
                print(f"{name:8} {path:34} {p50:8.3f} {p99:8.3f}")
            default = rows["regorus VM decide() (default)"][0]
            for other in ("regopy decide()", "OPA 1.20 in-process decide()"):
                print(f"{name:8} {'ratio ' + other.split()[0] + '/regorus (p50)':34} {rows[other][0] / default:8.1f}x")
        for server in servers.values():
            server.close()
    opa.close()
    print("target: embedded p50 <= 0.2 ms (budget), <= 0.1 ms (read)")


if __name__ == "__main__":
    main()
