"""`QuoteBook`: the market data we asked for, so we can ask for it again.

IB drops every market data line when its link comes back with data lost (1101), and a new
session after a reconnect has none; a trader looking at the ticket's bid/ask must not be left
watching a frozen quote. The book keeps what was wanted and who listens, and re-requests it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import ib_async

logger = logging.getLogger(__name__)

Listener = Callable[[ib_async.Ticker], None]


@dataclass(slots=True)
class _Wanted:
    contract: ib_async.Contract
    listener: Listener | None
    ticker: ib_async.Ticker


class QuoteBook:
    def __init__(self, ib: ib_async.IB) -> None:
        self.ib = ib
        self._wanted: dict[int, _Wanted] = {}  # by conId
        self.resubscriptions = 0  # how many lines were asked for again, for tests and the log

    def subscribe(self, contract: ib_async.Contract, listener: Listener | None) -> ib_async.Ticker:
        self.unsubscribe(contract)
        ticker = self.ib.reqMktData(contract)
        if listener is not None:
            ticker.updateEvent += listener
        self._wanted[contract.conId] = _Wanted(contract, listener, ticker)
        return ticker

    def unsubscribe(self, contract: ib_async.Contract) -> None:
        wanted = self._wanted.pop(contract.conId, None)
        if wanted is None:
            return  # never asked for: cancelling would only make ib_async log an error
        if wanted.listener is not None:
            wanted.ticker.updateEvent -= wanted.listener
        # Only a line this session has: after a reconnect ib_async knows none of the old ones.
        if self.ib.isConnected() and self.ib.ticker(wanted.contract) is not None:
            self.ib.cancelMktData(wanted.contract)

    def resubscribe(self) -> None:
        """Ask again for every line (the old ones are dead or gone); listeners follow the
        tickers, which are new objects after a reconnect."""
        for wanted in list(self._wanted.values()):
            if wanted.listener is not None:
                wanted.ticker.updateEvent -= wanted.listener
            if self.ib.ticker(wanted.contract) is not None:  # a new session never had it
                self.ib.cancelMktData(wanted.contract)
            wanted.ticker = self.ib.reqMktData(wanted.contract)
            if wanted.listener is not None:
                wanted.ticker.updateEvent += wanted.listener
            self.resubscriptions += 1
            logger.info("market data for %s requested again", wanted.contract.symbol)
