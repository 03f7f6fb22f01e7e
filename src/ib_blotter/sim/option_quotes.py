"""Option quotes priced from their underlying's random walk: the model value on the option's tick
rule, a spread of a few percent around it, and the greeks tickOptionComputation carries.

An option is repriced when its underlying's quote changed since it was last priced; a quote set
by hand (a test's, a trainer's) stands until the underlying moves.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from . import pricing
from .model import Instrument
from .ticks import increment_at, to_rule

SPREAD = 0.04  # of the model value, at least one increment
# tickOptionComputation's tick types: bid, ask, last and model (IB's TickType)
BID_OPTION, ASK_OPTION, LAST_OPTION, MODEL_OPTION = 10, 11, 12, 13


def years_to(expiry: str, today: dt.date) -> float:
    """Years to expiry at the day's close (half a day on the last one)."""
    days = (dt.datetime.strptime(expiry, "%Y%m%d").date() - today).days
    return (max(days, 0) + 0.5) / 365


def rate_for(inst: Instrument) -> float:
    return 0.0 if inst.contract.secType == "FOP" else pricing.RATE  # Black-76 on a future


class OptionBook:
    """Prices, sizes and greeks of every option, from `spot(underlying conId)`."""

    def __init__(self, options: list[Instrument], spot: Callable[[int], tuple[float, ...]],
                 today: dt.date, seed: int) -> None:
        self.options = {o.contract.conId: o for o in options}
        self.spot = spot  # the underlying's quote key: (bid, ask, ...) with its mid first
        self.today = today
        self.seed = seed
        self.priced_at: dict[int, tuple[float, ...]] = {}  # the underlying's key when priced
        self._rngs: dict[int, random.Random] = {}

    def mid_of(self, key: tuple[float, ...]) -> float:
        return key[0]

    def model(self, inst: Instrument, spot: float) -> pricing.Greeks:
        c = inst.contract
        years = years_to(c.lastTradeDateOrContractMonth, self.today)
        vol = pricing.smile(c.strike, spot)
        return pricing.greeks(spot, c.strike, years, vol, c.right, rate_for(inst))

    def value(self, inst: Instrument, spot: float) -> float:
        """The model value with the underlying at `spot` (what-if margin's moves)."""
        return self.model(inst, spot).price

    def stale(self, con_id: int) -> bool:
        inst = self.options[con_id]
        return self.priced_at.get(con_id) != self.spot(inst.underConId)

    def touch(self, con_id: int) -> tuple[float, float, float, float]:
        """(bid, ask, bidSize, askSize) from the model, marking the option priced."""
        inst = self.options[con_id]
        key = self.spot(inst.underConId)
        self.priced_at[con_id] = key
        value = self.model(inst, self.mid_of(key)).price
        rule = inst.increments
        half = max(increment_at(rule, value), value * SPREAD) / 2
        bid = max(to_rule(value - half, rule, -1), 0.0)
        ask = to_rule(value + half, rule, 1)
        if ask <= bid:
            ask = to_rule(bid + increment_at(rule, bid), rule, 1)
        rng = self._rngs.setdefault(con_id, random.Random(self.seed * 7919 + con_id))
        return bid, ask, rng.randint(5, 250), rng.randint(5, 250)

    def pin(self, con_id: int) -> None:
        """A quote set by hand stands until the underlying moves."""
        inst = self.options[con_id]
        self.priced_at[con_id] = self.spot(inst.underConId)

    def computations(self, con_id: int, bid: float, ask: float, last: float | None
                     ) -> list[tuple[int, pricing.Greeks]]:
        """tickOptionComputation's ticks: the model's, then implied from bid, ask and last."""
        inst = self.options[con_id]
        spot = self.mid_of(self.spot(inst.underConId))
        model = self.model(inst, spot)
        ticks = [(MODEL_OPTION, model)]
        for tick_type, quoted in ((BID_OPTION, bid), (ASK_OPTION, ask), (LAST_OPTION, last)):
            implied = self._implied(inst, spot, quoted)
            if implied is not None:
                ticks.append((tick_type, implied))
        return ticks

    def _implied(self, inst: Instrument, spot: float, quoted: float | None
                 ) -> pricing.Greeks | None:
        if not quoted or quoted <= 0:
            return None
        c = inst.contract
        years = years_to(c.lastTradeDateOrContractMonth, self.today)
        vol = pricing.implied_vol(quoted, spot, c.strike, years, c.right, rate_for(inst))
        if vol is None:
            return None
        found = pricing.greeks(spot, c.strike, years, vol, c.right, rate_for(inst))
        return pricing.Greeks(vol, found.delta, quoted, found.gamma, found.vega, found.theta,
                              spot)
