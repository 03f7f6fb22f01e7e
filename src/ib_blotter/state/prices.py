"""Prices on a contract's tick grid, in Decimal so 4500.10 is never "almost" on 0.05."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

# Above this a typed number is a typo, and Decimal arithmetic on it gets slow or raises.
MAX_NUMBER = Decimal(10) ** 12
# Plain decimals only: "1,5" or "1_5" must not quietly become 15.
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)", re.ASCII)
# A typed size: a plain decimal, k for thousands, m for millions (FX sizes: 25k, 1m).
_QUANTITY = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))([km]?)", re.ASCII | re.IGNORECASE)
_MULTIPLIERS = {"": 1, "k": 1000, "m": 1_000_000}
_FX_PAIR = re.compile(r"[A-Z]{3}\.[A-Z]{3}")
AVERAGE_EXTRA_PLACES = 2  # an average fill price shows this many decimals past the tick's
# IB's market rule: (low edge, increment) from 0 up; a price moves by the increment of the
# highest edge at or below it (XETRA: 0.02 from 100, 0.05 from 200). Empty: one tick for all.
PriceRule = tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class Grid:
    """A contract's ticks: one everywhere, or by price band; prices show the decimals of the
    tick where they are (SAP at 238.45, not 238.450 for the 0.001 below 10)."""

    min_tick: float
    rule: PriceRule = ()

    def at(self, price: float | Decimal) -> float:
        return tick_at(price, self.min_tick, self.rule)


Tick = float | Grid | None  # what a price is formatted by


def to_decimal(value: float | Decimal | str) -> Decimal:
    """A float as the shortest decimal that prints it (0.1 -> 0.1, not 0.1000000000000000055)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def parse_number(text: str) -> Decimal | None:
    """A plain decimal typed by a person ("187.50", ".5"), or None for anything else."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    number = Decimal(text)
    return number if abs(number) < MAX_NUMBER else None


def parse_quantity(text: str) -> Decimal | None:
    """A size as a trader types it, in the ticket or on the quick-entry line: "100", "2.5",
    "1k" (1,000), "1.5m" (1,500,000); None for anything else."""
    match = _QUANTITY.fullmatch(text.strip())
    if match is None:
        return None
    digits, suffix = match.groups()
    number = Decimal(digits) * _MULTIPLIERS[suffix.lower()]
    return number if abs(number) < MAX_NUMBER else None


def on_grid(value: Decimal, step: float | Decimal) -> bool:
    """True when value is a whole number of steps."""
    try:
        return value % to_decimal(step) == 0
    except ArithmeticError:
        return False


def format_step(step: float | Decimal) -> str:
    """A tick as a trader writes it: 0.25, 0.01, 0.00005 (never 5E-5)."""
    return format(to_decimal(step).normalize(), "f")


def format_quantity(quantity: float) -> str:
    """A size without float noise or exponents: 100.0 -> "100", 20000.5 -> "20000.5"."""
    return format(to_decimal(quantity).normalize(), "f")


# Kept by value: a day's 100,000 fills come at a few hundred prices and sizes, and each one
# formatted in Decimal was a quarter of the state's work on a fill.
FORMATS_KEPT = 4096


@lru_cache(maxsize=FORMATS_KEPT, typed=True)
def format_size(quantity: float) -> str:
    """A size with thousands separators: 100000.0 -> "100,000", 25000.5 -> "25,000.5"."""
    return format(to_decimal(quantity).normalize(), ",f")


@lru_cache(maxsize=FORMATS_KEPT, typed=True)
def format_price(price: float | None, min_tick: Tick = None) -> str:
    """A price with as many decimals as its tick has (187.5 on 0.01 -> "187.50")."""
    if price is None:
        return ""
    if isinstance(min_tick, Grid):
        min_tick = min_tick.at(price)
    value = to_decimal(price)
    if not min_tick:
        return format(value.normalize(), "f")
    # As many decimals as the tick has, or more when an off-grid price needs them to show.
    places = max(_decimals(to_decimal(min_tick)), min(_decimals(value), 10))
    exponent = Decimal(1).scaleb(-places)
    return format(value.quantize(exponent, rounding=ROUND_HALF_EVEN), "f")


def format_average(price: float | None, min_tick: Tick = None) -> str:
    """An average fill price: the tick's decimals, and up to two more when it falls between
    ticks (187.48976 on 0.01 -> "187.4898"): never ten decimals of float noise."""
    if price is None:
        return ""
    if isinstance(min_tick, Grid):
        min_tick = min_tick.at(price)
    if not min_tick:
        return format_price(price)
    places = _decimals(to_decimal(min_tick))
    rounded = to_decimal(price).quantize(Decimal(1).scaleb(-(places + AVERAGE_EXTRA_PLACES)),
                                        rounding=ROUND_HALF_EVEN)
    return format_price(float(rounded.normalize()), min_tick)


def usual_tick(symbol: str) -> float:
    """The tick a symbol usually trades on, for a price whose contract's tick is not known (a
    fill restored from the journal before IB said anything): FX pairs quote in half pips."""
    if not _FX_PAIR.fullmatch(symbol.upper()):
        return 0.01
    return 0.005 if symbol.upper().endswith(".JPY") else 0.00005


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def tick_at(price: float | Decimal, min_tick: float, rule: PriceRule = ()) -> float:
    """The increment a price moves by under its contract's rule (the min tick without one)."""
    size = abs(to_decimal(price))
    step = min_tick
    for edge, increment in rule:
        if size >= to_decimal(edge):
            step = increment
    return step


def band_of(price: float | Decimal, rule: PriceRule) -> str:
    """Where a rule's increment at this price holds, as a trader reads it: "from 200 to
    500", "below 10", "from 500 up"; "" for a rule of one band."""
    if len(rule) < 2:
        return ""
    size = abs(to_decimal(price))
    edges = [format_step(edge) for edge, _increment in rule]
    index = max((n for n, (edge, _step) in enumerate(rule) if size >= to_decimal(edge)),
                default=0)
    if index == 0:
        return f"below {edges[1]}"
    if index == len(edges) - 1:
        return f"from {edges[index]} up"
    return f"from {edges[index]} to {edges[index + 1]}"


def nudge(price: float, ticks: int, min_tick: float, rule: PriceRule = (), *,
          signed: bool = False) -> float:
    """The price moved by whole ticks, snapped to the grid first; never below one tick unless
    `signed` (a combo's net price goes through 0 to a credit). Under a rule each step takes
    the increment of where it goes: down from 200.00 on XETRA is 199.98, up is 200.05."""
    tick = to_decimal(tick_at(price, min_tick, rule))
    steps = (to_decimal(price) / tick).to_integral_value(rounding=ROUND_HALF_EVEN)
    moved = steps * tick
    for _ in range(abs(ticks)):
        if ticks > 0:
            moved += to_decimal(tick_at(moved, min_tick, rule))
        else:
            below = to_decimal(tick_at(moved - Decimal("1e-9"), min_tick, rule))
            moved = moved - below if signed else max(moved - below, below)
    if signed:
        return float(moved)
    return float(max(moved, to_decimal(tick_at(0, min_tick, rule))))


def format_money(value: float | None, *, places: int = 2, signed: bool = False,
                 missing: str = "") -> str:
    """An amount with thousands separators (1,234.50; +12.00 when signed); `missing` for None."""
    if value is None:
        return missing
    return f"{value:{'+' if signed else ''},.{places}f}"
