"""pass^k: the chance that k independent seeds of a case all pass, estimated without bias from n >= k seeds.

With c passing seeds out of n, pass^k = C(c, k) / C(n, k) (as in tau-bench); pass^1 = c / n.
"""

from __future__ import annotations

from math import comb, sqrt
from statistics import mean, pstdev


def pass_hat_k(passed: int, n: int, k: int) -> float:
    """Unbiased pass^k from `passed` of `n` seeds; ValueError when k > n."""
    if not 0 <= passed <= n:
        raise ValueError(f"passed must be between 0 and n ({passed} of {n})")
    if k < 1 or k > n:
        raise ValueError(f"k must be between 1 and the number of seeds ({k} > {n})")
    return comb(passed, k) / comb(n, k)


def pass_variance(passed: int, n: int) -> float:
    """The per-seed pass indicator's variance p(1 - p): 0 for a case that always or never passes."""
    p = passed / n if n else 0.0
    return p * (1 - p)


def spread(values: list[float]) -> tuple[float, float]:
    """Mean and population standard deviation (0 for fewer than two values)."""
    if not values:
        return 0.0, 0.0
    return mean(values), (pstdev(values) if len(values) > 1 else 0.0)


def standard_error(passed: int, n: int) -> float:
    return sqrt(pass_variance(passed, n) / n) if n else 0.0
