"""Option prices and greeks: Black-Scholes (Black-76 for options on futures, r = 0) with a
simple volatility smile, and implied volatility from a price by bisection."""

from __future__ import annotations

import math
from dataclasses import dataclass

RATE = 0.04  # the risk-free rate for stock options
BASE_VOL = 0.28  # at the money
SKEW = 0.12  # vol added per unit of -ln(K/S): puts below the money are dearer
CURVE = 0.6  # vol added per unit of ln(K/S)^2: the wings
MIN_VOL, MAX_VOL = 0.01, 5.0


@dataclass(frozen=True, slots=True)
class Greeks:
    """What tickOptionComputation carries (vega and theta per vol point and per day, as IB's)."""

    implied_vol: float
    delta: float
    price: float
    gamma: float
    vega: float
    theta: float
    und_price: float


def smile(strike: float, spot: float, base: float = BASE_VOL) -> float:
    moneyness = math.log(strike / spot)
    return max(base - SKEW * moneyness + CURVE * moneyness * moneyness, MIN_VOL)


def _cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def _d1_d2(spot: float, strike: float, years: float, rate: float, vol: float
           ) -> tuple[float, float]:
    root = vol * math.sqrt(years)
    d1 = (math.log(spot / strike) + (rate + 0.5 * vol * vol) * years) / root
    return d1, d1 - root


def price(spot: float, strike: float, years: float, vol: float, right: str,
          rate: float = RATE) -> float:
    """The option's value; `rate` 0 gives Black-76 on a future's price."""
    if years <= 0 or vol <= 0:
        return max(spot - strike, 0.0) if right == "C" else max(strike - spot, 0.0)
    d1, d2 = _d1_d2(spot, strike, years, rate, vol)
    discount = math.exp(-rate * years)
    if right == "C":
        return spot * _cdf(d1) - strike * discount * _cdf(d2)
    return strike * discount * _cdf(-d2) - spot * _cdf(-d1)


def greeks(spot: float, strike: float, years: float, vol: float, right: str,
           rate: float = RATE) -> Greeks:
    value = price(spot, strike, years, vol, right, rate)
    d1, d2 = _d1_d2(spot, strike, max(years, 1e-6), rate, vol)
    root_t = math.sqrt(max(years, 1e-6))
    discount = math.exp(-rate * years)
    delta = _cdf(d1) if right == "C" else _cdf(d1) - 1.0
    gamma = _pdf(d1) / (spot * vol * root_t)
    vega = spot * _pdf(d1) * root_t / 100
    decay = -spot * _pdf(d1) * vol / (2 * root_t)
    carry = rate * strike * discount * (_cdf(d2) if right == "C" else -_cdf(-d2))
    theta = (decay - carry) / 365
    return Greeks(vol, delta, value, gamma, vega, theta, spot)


def implied_vol(target: float, spot: float, strike: float, years: float, right: str,
                rate: float = RATE) -> float | None:
    """The vol that prices the option at `target`; None when no vol does (below intrinsic)."""
    low, high = MIN_VOL, MAX_VOL
    if not price(spot, strike, years, low, right, rate) <= target <= price(
            spot, strike, years, high, right, rate):
        return None
    for _ in range(60):
        middle = (low + high) / 2
        if price(spot, strike, years, middle, right, rate) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2
