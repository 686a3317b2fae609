"""Token vault: encrypt and decrypt time per token (µs)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from shopwarden.security.vault import BoundTo, Keyring, Vault, new_master_key

ROUNDS = 5_000
TOKEN = "ROW_" + "x" * 120  # TikTok access tokens are ~100–150 characters


def _per_call_us(fn: Callable[[], object], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1000)
    return samples


def main() -> None:
    vault = Vault(Keyring([new_master_key()]))
    bound = BoundTo("m-bench", "shop", "access_token")
    stored = vault.encrypt(TOKEN, bound)
    enc = _per_call_us(lambda: vault.encrypt(TOKEN, bound), ROUNDS)
    dec = _per_call_us(lambda: vault.decrypt(stored, bound), ROUNDS)
    for name, samples in (("encrypt", enc), ("decrypt", dec)):
        samples.sort()
        p50 = statistics.median(samples)
        p99 = samples[int(len(samples) * 0.99)]
        print(f"vault {name}: p50 {p50:.1f} µs  p99 {p99:.1f} µs  ({ROUNDS} tokens)")


if __name__ == "__main__":
    main()
