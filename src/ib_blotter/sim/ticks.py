"""Price increments: the market rules contract details advertise (reqMarketRule answers them) and
what a price may be under each, in one place.

A rule is a run of (low edge, increment) from 0 up, as TWS's marketRule message carries it: a
price uses the increment of the highest edge at or below it. Ids 26, 32, 67 and 239 are those
IB's contract details carry (recorded: AAPL, an AAPL option, ES, EUR.USD); the others are the
simulator's own.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

PriceRule = tuple[tuple[float, float], ...]

US_STOCK = 26
# US equity options under the Penny Interval Program: 0.01 below 3.00, 0.05 from 3.00 (OCC /
# Cboe penny program rules; IB's AAPL options advertise rule 32 on SMART, recorded).
US_OPTION = 32
ES_FUTURE = 67
FX_PIPS = 239
# CME E-mini S&P 500 options: 0.05 at or below 5.00 index points, 0.25 above (CME contract specs).
ES_OPTION = 900
# XETRA (IBIS) after the MiFID II tick-size regime (RTS 11, the most liquid band), as read here.
XETRA = 901
# LSE in pence (GBX), the same regime for a liquid FTSE 100 name, as read here.
LSE_PENCE = 902
# TSE for TOPIX 100 constituents (JPX tick size table).
TSE_TOPIX100 = 903
JPY_PAIR = 904  # USD.JPY: half a pip

RULES: dict[int, PriceRule] = {
    US_STOCK: ((0.0, 0.01),),
    US_OPTION: ((0.0, 0.01), (3.0, 0.05)),
    ES_FUTURE: ((0.0, 0.25),),
    FX_PIPS: ((0.0, 0.00005),),
    ES_OPTION: ((0.0, 0.05), (5.0, 0.25)),
    XETRA: ((0.0, 0.001), (10.0, 0.005), (50.0, 0.01), (100.0, 0.02), (200.0, 0.05),
            (500.0, 0.1)),
    LSE_PENCE: ((0.0, 0.01), (50.0, 0.02), (100.0, 0.05), (500.0, 0.1), (1000.0, 0.5)),
    TSE_TOPIX100: ((0.0, 0.1), (1000.0, 0.5), (3000.0, 1.0), (10000.0, 5.0), (30000.0, 10.0)),
    JPY_PAIR: ((0.0, 0.005),),
}


def rule_ids(rule_id: int, exchanges: int) -> str:
    """contractDetails' marketRuleIds: one id per valid exchange, comma-separated."""
    return ",".join([str(rule_id)] * exchanges)


def increment_at(rule: PriceRule, price: float) -> float:
    """The increment a price (of either sign: a combo's net price can be a credit) moves by."""
    size = abs(price)
    step = rule[0][1]
    for edge, increment in rule:
        if size >= edge - 1e-12:
            step = increment
    return step


def on_tick(price: float, tick: float) -> bool:
    try:
        return Decimal(repr(price)) % Decimal(repr(tick)) == 0
    except InvalidOperation:
        return False


def on_rule(price: float, rule: PriceRule) -> bool:
    return on_tick(price, increment_at(rule, price))


def decimals(tick: float) -> int:
    return max(0, len(f"{tick:.10f}".rstrip("0").split(".")[1]))


def on_grid(price: float, tick: float) -> float:
    """The price rounded to the tick grid, without float dust (187.5 not 187.50000000001)."""
    return round(round(price / tick) * tick, decimals(tick))


def to_rule(price: float, rule: PriceRule, direction: int = 0) -> float:
    """The price on its rule's grid: nearest (0), or the grid price at or below (-1) / above (1)."""
    tick = increment_at(rule, price)
    steps = price / tick
    steps = math.floor(steps + 1e-9) if direction < 0 else (
        math.ceil(steps - 1e-9) if direction > 0 else round(steps))
    return round(steps * tick, decimals(tick))
