"""How budgets turn into delivery: a small, documented model with diminishing returns.

For one ad group and one day, given its daily budget B, its campaign's efficiency e and
noise draws that do not depend on B:

    spend        = B · pacing · n_spend                 (pacing 0.95, n_spend in [0.90, 1.00])
    impressions  = ⌊ K · spend^0.8 · e · n_reach ⌋       (K = 600, n_reach in [0.90, 1.10])
    clicks       = ⌊ impressions · ctr ⌋                 (ctr = min(0.05, 0.008 · √e))
    conversions  = ⌊ clicks · cvr + u ⌋                  (cvr = min(0.20, 0.02 · e), u in [0, 1))

Each step is non-decreasing in B for fixed draws, so more budget never lowers impressions,
clicks or conversions; the 0.8 exponent makes each extra dollar buy fewer impressions.
Conversions become Shop orders only while a promoted SKU has stock (see market.py).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

K_IMPRESSIONS = 600.0
REACH_EXPONENT = 0.8
PACING = 0.95
BASE_CTR = 0.008
MAX_CTR = 0.05
BASE_CVR = 0.02
MAX_CVR = 0.20
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Draws:
    """The random part of one day's delivery, drawn before the budget is looked at."""

    spend: float
    reach: float
    conversion: float

    @classmethod
    def take(cls, rng: random.Random) -> Draws:
        return cls(spend=rng.uniform(0.90, 1.00), reach=rng.uniform(0.90, 1.10), conversion=rng.random())


NEUTRAL_DRAWS = Draws(spend=1.0, reach=1.0, conversion=0.0)


@dataclass(frozen=True)
class Delivery:
    spend: Decimal
    impressions: int
    clicks: int
    conversions: int


def click_through_rate(efficiency: float) -> float:
    return min(MAX_CTR, BASE_CTR * math.sqrt(efficiency))


def conversion_rate(efficiency: float) -> float:
    return min(MAX_CVR, BASE_CVR * efficiency)


def deliver(budget: Decimal, efficiency: float, draws: Draws = NEUTRAL_DRAWS) -> Delivery:
    """One day of delivery for a daily budget (in the advertiser's currency)."""
    if budget <= 0:
        return Delivery(spend=Decimal("0.00"), impressions=0, clicks=0, conversions=0)
    spend = (budget * Decimal(str(PACING)) * Decimal(str(draws.spend))).quantize(CENT, rounding=ROUND_HALF_UP)
    impressions = math.floor(K_IMPRESSIONS * float(spend) ** REACH_EXPONENT * efficiency * draws.reach)
    clicks = math.floor(impressions * click_through_rate(efficiency))
    conversions = math.floor(clicks * conversion_rate(efficiency) + draws.conversion)
    return Delivery(spend=spend, impressions=impressions, clicks=clicks, conversions=conversions)


def organic_units(base_demand: float, draw: float, jitter: float) -> int:
    """Units sold without ads in one day: base demand ±20 %, rounded stochastically."""
    return math.floor(base_demand * (0.8 + 0.4 * jitter) + draw)
