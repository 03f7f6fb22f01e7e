"""Quotes for every instrument: a seeded random walk on the tick grid, or prices set by hand."""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass

from .model import ComboLeg, Instrument
from .option_quotes import OptionBook
from .pricing import Greeks
from .ticks import PriceRule, increment_at, on_grid, to_rule

__all__ = ["Market", "MarketMarks", "Quote", "on_grid"]


@dataclass(slots=True)
class Quote:
    bid: float
    ask: float
    last: float
    bidSize: float
    askSize: float
    lastSize: float
    volume: float
    open: float
    high: float
    low: float
    close: float  # the previous session's close

    @property
    def mid(self) -> float:
        return (self.bid + self.ask) / 2


def _typical_size(inst: Instrument) -> tuple[int, int]:
    if inst.contract.secType == "FUT":
        return 5, 60
    if inst.contract.secType == "CASH":
        return 100_000, 5_000_000
    return 100, 1500


OPTION_TYPES = frozenset({"OPT", "FOP"})


class Market:
    """One quote per instrument; each `step` moves an underlying's quote by a few ticks, and
    its options follow it (priced, not walked)."""

    def __init__(self, instruments: list[Instrument], seed: int,
                 today: dt.date | None = None) -> None:
        self.instruments = {inst.contract.conId: inst for inst in instruments}
        walked = [i for i in instruments if i.contract.secType not in OPTION_TYPES]
        self.walked = [inst.contract.conId for inst in walked]
        # One generator per instrument so the walk of AAPL does not depend on who else trades.
        self._rngs = {
            inst.contract.conId: random.Random(
                seed * 1_000_003 + zlib.crc32(inst.contract.localSymbol.encode()))
            for inst in walked
        }
        self.quotes = {inst.contract.conId: self._opening_quote(inst) for inst in walked}
        options = [i for i in instruments if i.contract.secType in OPTION_TYPES]
        self.options_of: dict[int, list[int]] = {}
        for option in options:
            self.options_of.setdefault(option.underConId, []).append(option.contract.conId)
        self.book = OptionBook(options, self._spot, today or dt.date.today(), seed)
        self.combos: dict[int, list[ComboLeg]] = {}  # combos clients watch, by their own ids

    def _spot(self, con_id: int) -> tuple[float, ...]:
        quote = self.quotes[con_id]
        return quote.mid, quote.bid, quote.ask

    def _opening_quote(self, inst: Instrument) -> Quote:
        rng = self._rngs[inst.contract.conId]
        tick = increment_at(inst.increments, inst.startPrice)
        mid = on_grid(inst.startPrice, tick)
        low, high = _typical_size(inst)
        close = on_grid(mid * (1 + rng.uniform(-0.01, 0.01)), tick)
        return Quote(
            bid=mid,
            ask=on_grid(mid + tick, tick),
            last=mid,
            bidSize=rng.randint(low, high),
            askSize=rng.randint(low, high),
            lastSize=low,
            volume=0,
            open=mid,
            high=mid,
            low=mid,
            close=close,
        )

    def combo_id(self, legs: list[ComboLeg]) -> int:
        """A combo's own id for its market data (every BAG's conId is the same)."""
        for con_id, known in self.combos.items():
            if known == legs:
                return con_id
        con_id = -1 - len(self.combos)
        self.combos[con_id] = list(legs)
        return con_id

    def quote(self, con_id: int) -> Quote:
        """The instrument's quote; an option's is repriced if its underlying moved; a combo's
        is its legs' net."""
        if con_id in self.combos:
            from .combos import combo_quote  # combos' quotes are made of this module's

            return combo_quote([(leg, self.quote(leg.conId)) for leg in self.combos[con_id]])
        if con_id in self.book.options and (con_id not in self.quotes or self.book.stale(con_id)):
            self._price_option(con_id)
        return self.quotes[con_id]

    def _price_option(self, con_id: int) -> None:
        bid, ask, bid_size, ask_size = self.book.touch(con_id)
        quote = self.quotes.get(con_id)
        if quote is None:
            mid = (bid + ask) / 2
            last = to_rule(mid, self.instruments[con_id].increments)
            self.quotes[con_id] = Quote(bid, ask, last, bid_size, ask_size, 0, 0, last, last,
                                        last, last)
            return
        quote.bid, quote.ask, quote.bidSize, quote.askSize = bid, ask, bid_size, ask_size

    def greeks(self, con_id: int) -> list[tuple[int, Greeks]]:
        """An option's tickOptionComputation ticks (none for anything else)."""
        if con_id not in self.book.options:
            return []
        quote = self.quote(con_id)
        last = quote.last if quote.volume else None
        return self.book.computations(con_id, quote.bid, quote.ask, last)

    def option_value(self, inst: Instrument, move: float) -> float:
        """An option's model value with its underlying moved by `move` (a fraction)."""
        spot = self.quote(inst.underConId).mid
        return self.book.value(inst, spot * (1 + move))

    def step(self, con_id: int) -> Quote:
        """Move one market: the mid walks a few ticks, sizes refresh, a trade prints. An option
        does not walk: it follows its underlying."""
        if con_id in self.book.options:
            return self.quote(con_id)
        inst = self.instruments[con_id]
        rng = self._rngs[con_id]
        quote = self.quotes[con_id]
        rule = inst.increments
        tick = increment_at(rule, quote.bid)
        move = rng.choice((-2, -1, -1, 0, 0, 0, 1, 1, 2)) * tick
        spread = tick * rng.choice((1, 1, 1, 2))
        bid = to_rule(max(quote.bid + move, tick), rule)
        low, high = _typical_size(inst)
        trade_at_ask = rng.random() < 0.5
        last = to_rule(bid + spread, rule) if trade_at_ask else bid
        size = rng.randint(low, max(low, high // 5))
        self._set(quote, rule, bid, to_rule(bid + spread, rule), last, size)
        quote.bidSize = rng.randint(low, high)
        quote.askSize = rng.randint(low, high)
        return quote

    def set_quote(
        self,
        con_id: int,
        bid: float,
        ask: float,
        last: float | None = None,
        size: float | None = None,
    ) -> Quote:
        """Put the market where a test or a trainer wants it; `size` is the size at the touch."""
        rule = self.instruments[con_id].increments
        quote = self.quote(con_id)
        last_price = to_rule(last if last is not None else (bid + ask) / 2, rule)
        self._set(quote, rule, to_rule(bid, rule), to_rule(ask, rule), last_price,
                  quote.lastSize)
        if size is not None:
            quote.bidSize = quote.askSize = size
        if con_id in self.book.options:
            self.book.pin(con_id)
        return quote

    def take(self, con_id: int, buy: bool, size: float, crossed: bool) -> None:
        """A resting order took displayed size (and the trade it printed was its own): neither
        is there for the next match."""
        quote = self.quote(con_id)
        quote.lastSize = 0.0
        if not crossed:
            return
        if buy:
            quote.askSize = max(quote.askSize - size, 0.0)
        else:
            quote.bidSize = max(quote.bidSize - size, 0.0)

    def record_trade(self, con_id: int, price: float, size: float) -> None:
        quote = self.quote(con_id)
        quote.last, quote.lastSize = price, size
        quote.volume += size
        quote.high, quote.low = max(quote.high, price), min(quote.low, price)

    @staticmethod
    def _set(quote: Quote, rule: PriceRule, bid: float, ask: float, last: float,
             size: float) -> None:
        quote.bid, quote.ask = bid, max(ask, to_rule(bid + increment_at(rule, bid), rule))
        quote.last, quote.lastSize = last, size
        quote.volume += size
        quote.high, quote.low = max(quote.high, last), min(quote.low, last)

    # ---- marks and exchange rates ------------------------------------------------------------
    def mark(self, con_id: int) -> float:
        """What positions are valued at: the last trade; an option at its mid (IB's mark for
        options, whose last trade is often stale)."""
        quote = self.quote(con_id)
        return quote.mid if con_id in self.book.options else quote.last

    def rate(self, currency: str) -> float:
        """USD per unit of `currency`, at the mid of its IDEALPRO pair (1 for USD itself)."""
        if currency in ("USD", ""):
            return 1.0
        for con_id, inst in self.instruments.items():
            c = inst.contract
            if c.secType == "CASH" and c.symbol == currency and c.currency == "USD":
                return self.quotes[con_id].mid
            if c.secType == "CASH" and c.symbol == "USD" and c.currency == currency:
                return 1.0 / self.quotes[con_id].mid
        raise KeyError(f"no USD pair for {currency}")


class MarketMarks:
    """The market as an account values itself against it (account.Marks)."""

    def __init__(self, market: Market) -> None:
        self.market = market

    def __getitem__(self, con_id: int) -> float:
        return self.market.mark(con_id)

    def rate(self, currency: str) -> float:
        return self.market.rate(currency)

    def moved(self, inst: Instrument, move: float) -> float:
        return self.market.option_value(inst, move)


class PricedMarks:
    """Marks with some instruments at given prices: what-if margin at the order's price."""

    def __init__(self, marks: MarketMarks, prices: dict[int, float]) -> None:
        self.marks = marks
        self.prices = prices

    def __getitem__(self, con_id: int) -> float:
        price = self.prices.get(con_id)
        return self.marks[con_id] if price is None else price

    def rate(self, currency: str) -> float:
        return self.marks.rate(currency)

    def moved(self, inst: Instrument, move: float) -> float:
        return self.marks.moved(inst, move)
