"""`QuoteBook`: the market data we asked for, so we can ask for it again.

IB drops every market data line when its link comes back with data lost (1101), and a new
session after a reconnect has none; a trader looking at the ticket's bid/ask must not be left
watching a frozen quote. The book keeps what was wanted and who listens, and re-requests it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import ib_async

from ib_blotter.ib import convert
from ib_blotter.state.records import Greeks, Quote

logger = logging.getLogger(__name__)
MAX_WATCHED = 20  # quote lines kept only for judging changes (IB allows 100 per client)

Listener = Callable[[ib_async.Ticker], None]


@dataclass(slots=True)
class _Wanted:
    contract: ib_async.Contract
    ticker: ib_async.Ticker
    listeners: list[Listener] = field(default_factory=list)  # the ticket, a chain, a position


class QuoteBook:
    """One market data line per contract, shared by everyone who listens to it: IB allows
    100 per client, and ib_async keeps one ticker per contract whatever we ask."""

    def __init__(self, ib: ib_async.IB) -> None:
        self.ib = ib
        self._wanted: dict[int, _Wanted] = {}  # by conId
        self._watched: list[int] = []  # conIds watched for the gate, oldest first
        self.resubscriptions = 0  # how many lines were asked for again, for tests and the log

    def quote(self, con_id: int) -> Quote | None:
        """The latest bid/ask/last of a contract we have a line for; None with no line, or
        before IB sent any price."""
        wanted = self._wanted.get(con_id)
        if wanted is None:
            return None
        quote = convert.quote(wanted.ticker)
        return quote if (quote.bid, quote.ask, quote.last) != (None, None, None) else None

    def greeks(self, con_id: int) -> Greeks | None:
        """An option's model greeks, once IB sent them (None for anything else)."""
        wanted = self._wanted.get(con_id)
        return None if wanted is None else convert.greeks(wanted.ticker)

    def watch(self, contract: ib_async.Contract) -> None:
        """Keep a line for a contract an order of ours trades, so a change to it is judged
        against the market; the oldest such line goes past MAX_WATCHED."""
        if contract.conId in self._wanted:
            return
        self.subscribe(contract, None)
        self._watched.append(contract.conId)
        while len(self._watched) > MAX_WATCHED:
            oldest = self._wanted.get(self._watched.pop(0))
            if oldest is not None and not oldest.listeners:
                self.unsubscribe(oldest.contract)

    def subscribe(self, contract: ib_async.Contract, listener: Listener | None) -> ib_async.Ticker:
        """A line for the contract (the one there is, if any), with `listener` told of every
        update (and of the latest at once, on a line already live); unsubscribe with the same
        listener."""
        wanted = self._wanted.get(contract.conId)
        joined = wanted is not None
        if wanted is None:
            wanted = _Wanted(contract, self.ib.reqMktData(contract))
            self._wanted[contract.conId] = wanted
        if listener is not None:
            wanted.ticker.updateEvent += listener
            wanted.listeners.append(listener)
            if joined and self.quote(contract.conId) is not None:
                listener(wanted.ticker)  # a line already live: its latest now, not next tick
        return wanted.ticker

    def unsubscribe(self, contract: ib_async.Contract, listener: Listener | None = None) -> None:
        """`listener` stops listening; the line goes with its last listener (None: the line
        goes now, whoever listens)."""
        wanted = self._wanted.get(contract.conId)
        if wanted is None:
            return  # never asked for: cancelling would only make ib_async log an error
        gone = wanted.listeners if listener is None else [listener]
        for each in [g for g in gone if g in wanted.listeners]:
            wanted.ticker.updateEvent -= each
            wanted.listeners.remove(each)
        if wanted.listeners:
            return
        if contract.conId in self._watched:
            self._watched.remove(contract.conId)
        del self._wanted[contract.conId]
        # Only a line this session has: after a reconnect ib_async knows none of the old ones.
        if self.ib.isConnected() and self.ib.ticker(wanted.contract) is not None:
            self.ib.cancelMktData(wanted.contract)

    @property
    def lines(self) -> int:
        """Market data lines held now."""
        return len(self._wanted)

    def resubscribe(self) -> None:
        """Ask again for every line (the old ones are dead or gone); listeners follow the
        tickers, which are new objects after a reconnect."""
        for wanted in list(self._wanted.values()):
            for listener in wanted.listeners:
                wanted.ticker.updateEvent -= listener
            if self.ib.ticker(wanted.contract) is not None:  # a new session never had it
                self.ib.cancelMktData(wanted.contract)
            wanted.ticker = self.ib.reqMktData(wanted.contract)
            for listener in wanted.listeners:
                wanted.ticker.updateEvent += listener
            self.resubscriptions += 1
            logger.info("market data for %s requested again", wanted.contract.symbol)
