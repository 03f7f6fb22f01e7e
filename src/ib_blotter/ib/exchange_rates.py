"""`ExchangeRates`: the FX market's rate for a currency the account does not hold yet.

IB sends an exchange rate among the account values only for a currency in the account's
ledger, so the first SAP order of a USD account could not be valued against the limits. The
pair's quote (IDEALPRO) stands in until IB's own rate comes; its midpoint is the rate. Its
line is the QuoteBook's, shared with a ticket that trades the pair.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass

import ib_async

from ..state.money import Pair, fx_pair
from ..state.portfolio import PortfolioState
from .guard import guard_handler
from .quotes import QuoteBook

logger = logging.getLogger(__name__)
LOOKUP_TIMEOUT = 10.0


@dataclass(slots=True)
class _Line:
    """One pair's rate: looked up once, then a line in the QuoteBook (which asks for it
    again after a reconnect)."""

    currency: str
    base: str
    pair: Pair
    listening: bool = False  # on its QuoteBook line
    looking: bool = False

    def priced(self, ticker: ib_async.Ticker) -> float | None:
        """Base per unit of the currency, from the pair's midpoint; None before one."""
        price = ticker.midpoint()
        return self.pair.rate(price) if price and not math.isnan(price) and price > 0 else None


class ExchangeRates:
    def __init__(self, ib: ib_async.IB, quotes: QuoteBook, portfolio: PortfolioState) -> None:
        self.ib = ib
        self.quotes = quotes
        self.portfolio = portfolio
        self._lines: dict[tuple[str, str], _Line] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        ib.connectedEvent.connect(guard_handler(self._on_connected), keep_ref=True)

    def want(self, currency: str, base: str) -> None:
        """Keep `currency`'s rate in `base` from the market (once per pair; a no-op for the
        base itself)."""
        if not currency or currency == base or (currency, base) in self._lines:
            return
        line = self._lines[(currency, base)] = _Line(currency, base, fx_pair(currency, base))
        if self.ib.isConnected():
            self._look_up(line)

    def _on_connected(self) -> None:
        """A pair wanted while IB was away is looked up now."""
        for line in self._lines.values():
            self._look_up(line)

    def _look_up(self, line: _Line) -> None:
        if line.listening or line.looking:
            return
        line.looking = True
        task = asyncio.get_running_loop().create_task(self._listen(line))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _listen(self, line: _Line) -> None:
        pair = line.pair
        try:
            details = await asyncio.wait_for(
                self.ib.reqContractDetailsAsync(ib_async.Forex(pair.symbol + pair.currency)),
                LOOKUP_TIMEOUT)
        except Exception as exc:  # the limit then says it had no rate: never fatal
            logger.warning("no FX pair for %s in %s: %s", line.currency, line.base, exc)
            details = []
        finally:
            line.looking = False
        if details and details[0].contract and not line.listening:
            line.listening = True
            ticker = self.quotes.subscribe(details[0].contract,
                                           guard_handler(lambda t: self._priced(line, t)))
            self._priced(line, ticker)

    def _priced(self, line: _Line, ticker: ib_async.Ticker) -> None:
        rate = line.priced(ticker)
        if rate is not None:
            self.portfolio.market_rate(line.currency, line.base, rate)
