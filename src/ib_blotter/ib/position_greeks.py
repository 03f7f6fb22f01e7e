"""`PositionGreeks`: each option held gets a quote line (the adapter's QuoteBook: one line per
option, whoever else listens), and its model greeks go to the positions (`PortfolioState`).

A position's contract, as IB reports it, names no exchange: the option's contract details
(asked once, by conId) give the one to quote it on. The line goes when no account holds it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import ib_async

from ..state.portfolio import PortfolioState
from .convert import OPTION_SEC_TYPES
from .guard import guard_handler
from .quotes import Listener

if TYPE_CHECKING:
    from .adapter import IBAdapter

logger = logging.getLogger(__name__)
DETAILS_WAIT = 10.0  # seconds IB has to describe a held option


class PositionGreeks:
    def __init__(self, adapter: IBAdapter, portfolio: PortfolioState) -> None:
        self.adapter = adapter
        self.portfolio = portfolio
        self._holders: dict[int, set[str]] = {}  # conId -> the accounts holding it
        self._lines: dict[int, tuple[ib_async.Contract, Listener]] = {}  # conId -> its line
        self._asking: dict[int, Listener] = {}  # conId -> its listener, details asked for
        self._tasks: set[asyncio.Task[None]] = set()  # held so they are not collected
        ib = adapter.ib
        ib.positionEvent.connect(guard_handler(self._on_position), keep_ref=True)
        ib.connectedEvent.connect(guard_handler(self._on_connected), keep_ref=True)

    def _on_connected(self) -> None:
        for position in self.adapter.ib.positions():
            self._on_position(position)

    def _on_position(self, item: ib_async.Position) -> None:
        contract = item.contract
        if contract.secType not in OPTION_SEC_TYPES or not contract.conId:
            return
        holders = self._holders.setdefault(contract.conId, set())
        if item.position:
            holders.add(item.account)
        else:
            holders.discard(item.account)
        con_id = contract.conId
        if holders and con_id not in self._lines and con_id not in self._asking:
            self._asking[con_id] = self._update_for(con_id)
            task = asyncio.get_running_loop().create_task(self._listen(con_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif not holders:
            self._drop(con_id)

    def _update_for(self, con_id: int) -> Listener:
        def update(_ticker: ib_async.Ticker) -> None:
            greeks = self.adapter.quotes.greeks(con_id)
            for account in self._holders.get(con_id, ()):
                self.portfolio.position_greeks(account, con_id, greeks)

        return guard_handler(update)

    async def _listen(self, con_id: int) -> None:
        """The option's contract from IB, then its line (unless it was closed meanwhile)."""
        try:
            request = self.adapter.ib.reqContractDetailsAsync(ib_async.Contract(conId=con_id))
            details = await asyncio.wait_for(request, DETAILS_WAIT)
        except Exception as exc:
            logger.warning("no contract details for held option %s: %s", con_id, exc)
            self._asking.pop(con_id, None)
            return
        update = self._asking.pop(con_id, None)
        if update is None or not details or details[0].contract is None:
            return  # closed meanwhile, or IB does not know it
        contract = details[0].contract
        self._lines[con_id] = (contract, update)
        self.adapter.quotes.subscribe(contract, update)

    def _drop(self, con_id: int) -> None:
        self._asking.pop(con_id, None)
        line = self._lines.pop(con_id, None)
        if line is not None:
            self.adapter.quotes.unsubscribe(*line)
