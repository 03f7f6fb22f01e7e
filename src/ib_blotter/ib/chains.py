"""`ChainFeed`: what a chain screen asks of IB: the underlying and its quote, the option chain
(reqSecDefOptParams), one expiry's options (their contract details) and their quotes with the
model greeks, through the adapter's one QuoteBook.

Market data lines are few (IB allows 100 per client): an expiry's lines go before the next
expiry's are asked for, and every line goes with the screen (`close`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

import ib_async

from ..state.chain import ChainListing, OptionCell
from ..state.records import Greeks, Quote
from .errors import AdapterError, NotConnectedError
from .lookup import LookupFailed, find_contract
from .quotes import Listener

if TYPE_CHECKING:
    from .adapter import IBAdapter

PRICE_WAIT = 2.0  # seconds to wait for the underlying's first price before centring anyway
ANSWER_WAIT = 10.0  # seconds IB has to list a chain or an expiry's options
OPTION_ON = {"STK": "OPT", "IND": "OPT", "FUT": "FOP"}  # IB's secType of the options on each

T = TypeVar("T")
OnPrice = Callable[[float], None]
OnOption = Callable[[Decimal, str, OptionCell], None]


def strike_of(value: float) -> Decimal:
    """IB's float strike as the chain's Decimal: 187.5, never 187.499999."""
    return Decimal(repr(value))


class ChainFeed:
    def __init__(self, adapter: IBAdapter, on_price: OnPrice, on_option: OnOption) -> None:
        self.adapter = adapter
        self.on_price = on_price
        self.on_option = on_option
        self.underlying: ib_async.Contract | None = None
        self.price: float | None = None  # the underlying's last mark
        self._classes: dict[str, tuple[str, str]] = {}  # expiry -> (exchange, trading class)
        self._lines: list[tuple[ib_async.Contract, Listener | None]] = []  # the expiry's
        self._underlying_line: Listener | None = None
        self._shown = 0  # bumped by each show(): an older one's answer subscribes nothing
        self._expiry = ""  # the expiry shown: the only one whose quotes are passed on

    async def open(self, text: str) -> ChainListing:
        """The underlying looked up as typed, its quote, and its chain; LookupFailed with a
        sentence when IB lists no options on it."""
        found = await find_contract(self.adapter, text)
        contract = self.underlying = found.contract
        if contract.secType not in OPTION_ON:
            raise LookupFailed(f"{found.spec.symbol}: IB lists no options on it")
        self._underlying_line = self.adapter.subscribe_quote(contract, self._underlying_quote)
        request = self.adapter.ib.reqSecDefOptParamsAsync(
            contract.symbol, contract.exchange if contract.secType == "FUT" else "",
            contract.secType, contract.conId)
        chains = await self._answer(request, f"{found.spec.symbol}'s option chain")
        listing = self._listing(found.spec.symbol, contract, chains)
        if not listing.expiries:
            raise LookupFailed(f"{found.spec.symbol}: IB lists no options on it")
        await self._first_price()
        return listing

    def _listing(self, symbol: str, under: ib_async.Contract,
                 chains: list[ib_async.OptionChain]) -> ChainListing:
        """One listing from IB's chains: a stock's SMART one (IB sends one per exchange), a
        future's every trading class (ES, EW1..EW4: one per expiry)."""
        smart = [c for c in chains if c.exchange == "SMART"]
        chosen = smart if under.secType != "FUT" and smart else chains
        chosen = sorted(chosen, key=lambda c: c.tradingClass != under.symbol)  # its own first
        strikes: set[Decimal] = set()
        for chain in chosen:
            strikes.update(strike_of(s) for s in chain.strikes)
            for expiry in chain.expirations:
                self._classes.setdefault(expiry, (chain.exchange, chain.tradingClass))
        multiplier = float(chosen[0].multiplier or 1) if chosen else 1.0
        return ChainListing(symbol, tuple(sorted(self._classes)), tuple(sorted(strikes)),
                            multiplier)

    async def show(self, expiry: str, strikes: tuple[Decimal, ...]) -> None:
        """Quotes for these strikes' calls and puts of `expiry`, asked for in the order given
        (the cursor's first), in place of the last expiry's: one old line given back for each
        new one taken. ib_async sends at most 45 requests a second (IB allows 50): 42 lines
        and their cancels take about two, and the strike the trader looks at comes first."""
        self._shown += 1
        mine, self._expiry = self._shown, expiry
        under = self.underlying
        if under is None or expiry not in self._classes:
            self._drop_lines()
            return
        exchange, trading_class = self._classes[expiry]
        wanted = ib_async.Contract(
            secType=OPTION_ON[under.secType], symbol=under.symbol,
            lastTradeDateOrContractMonth=expiry, exchange=exchange, tradingClass=trading_class,
            currency=under.currency)
        request = self.adapter.ib.reqContractDetailsAsync(wanted)
        details = await self._answer(request, f"{under.symbol} {expiry}'s options")
        if mine != self._shown:
            return  # another expiry was asked for meanwhile
        by_strike: dict[Decimal, list[ib_async.Contract]] = {}
        for detail in details:
            if detail.contract is not None:
                by_strike.setdefault(strike_of(detail.contract.strike), []).append(
                    detail.contract)
        old, self._lines = self._lines, []
        for strike in strikes:
            for option in by_strike.get(strike, ()):
                if old:
                    self.adapter.unsubscribe_quote(*old.pop())
                self._listen(option, expiry)
        for contract, handle in old:
            self.adapter.unsubscribe_quote(contract, handle)

    def _listen(self, option: ib_async.Contract, expiry: str) -> None:
        strike, right = strike_of(option.strike), option.right[:1]

        def update(quote: Quote, greeks: Greeks | None) -> None:
            if self._expiry == expiry:  # an old expiry's line, not yet given back, is quiet
                self.on_option(strike, right, OptionCell(quote.bid, quote.ask, greeks))

        self._lines.append((option, self.adapter.subscribe_option(option, update)))

    def close(self) -> None:
        """Every line of the chain goes, the underlying's too."""
        self._shown += 1
        self._drop_lines()
        if self.underlying is not None and self._underlying_line is not None:
            self.adapter.unsubscribe_quote(self.underlying, self._underlying_line)
            self._underlying_line = None

    def _drop_lines(self) -> None:
        lines, self._lines = self._lines, []
        for contract, handle in lines:
            self.adapter.unsubscribe_quote(contract, handle)

    def _underlying_quote(self, quote: Quote) -> None:
        if quote.mark is not None and quote.mark != self.price:
            self.price = quote.mark
            self.on_price(quote.mark)

    async def _first_price(self) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(PRICE_WAIT):
                while self.price is None:
                    await asyncio.sleep(0.02)

    async def _answer(self, request: Awaitable[T], what: str) -> T:
        try:
            return await asyncio.wait_for(request, ANSWER_WAIT)
        except TimeoutError as exc:
            raise AdapterError(f"No answer about {what} within {ANSWER_WAIT:g} s") from exc
        except ConnectionError as exc:
            raise NotConnectedError(f"Connection lost while asking for {what}") from exc
