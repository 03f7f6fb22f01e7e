"""`OrderRequests`: what the trader asks of IB: look-ups, orders, what-ifs, cancels, quotes.

A mixin of IBAdapter. `--readonly` is enforced here: every order request refuses before
anything is sent; reads (contract look-ups, quotes) still work. Only our own live orders
may be changed.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import TYPE_CHECKING

import ib_async

from ib_blotter.ib import convert
from ib_blotter.ib.errors import (
    AdapterError,
    NotConnectedError,
    NotOurOrderError,
    OrderEndedError,
    ReadOnlyError,
)
from ib_blotter.state.records import OrderKey, OrderPreview, Quote
from ib_blotter.state.ticket import ContractSpec, OrderSpec

if TYPE_CHECKING:
    from ib_blotter.ib.adapter import IBAdapter


class OrderRequests:

    async def resolve(
        self: IBAdapter,
        symbol: str,
        sec_type: str = "STK",
        exchange: str = "",
        currency: str = "",
        timeout: float = 10.0,
    ) -> list[tuple[ib_async.Contract, ContractSpec]]:
        """Every contract IB matches, with what the ticket needs to know of each."""
        self._require_connection("look up contracts")
        wanted = convert.ib_contract(symbol, sec_type, exchange, currency)
        try:
            details = await asyncio.wait_for(self.ib.reqContractDetailsAsync(wanted), timeout)
        except TimeoutError as exc:
            raise AdapterError(f"No answer about {symbol} within {timeout:g} s") from exc
        except ConnectionError as exc:
            raise NotConnectedError(f"Connection lost while looking up {symbol}") from exc
        found = [(d.contract, convert.contract_spec(d)) for d in details if d.contract]
        for _contract, spec in found:
            self._min_ticks[spec.con_id] = spec.min_tick
        return found

    def place(self: IBAdapter, contract: ib_async.Contract, spec: OrderSpec) -> OrderKey:
        """Send a new order (validated by `ticket.to_order_spec`); returns its key."""
        self._refuse_if_readonly("place orders")
        self._require_connection("place orders")
        order = convert.ib_order(spec)
        order.account = order.account or self.account
        if not spec.is_bracket:
            trade = self._send("place", contract, order)
            return OrderKey.of(trade.order.clientId, trade.order.orderId, trade.order.permId)
        return self._place_bracket(contract, spec, order)

    async def what_if(self: IBAdapter, contract: ib_async.Contract, spec: OrderSpec,
                      timeout: float = 5.0) -> OrderPreview:
        """IB's commission and margin figures for this order, without placing it."""
        self._refuse_if_readonly("preview orders")  # a what-if is a placeOrder to TWS
        self._require_connection("preview orders")
        order = convert.ib_order(spec)
        order.account = order.account or self.account
        try:
            answer = await asyncio.wait_for(self.ib.whatIfOrderAsync(contract, order), timeout)
        except TimeoutError as exc:
            raise AdapterError(f"No what-if answer within {timeout:g} s") from exc
        except ConnectionError as exc:
            raise NotConnectedError("Connection lost during the what-if") from exc
        if not isinstance(answer, ib_async.OrderState):
            raise AdapterError("IB refused the what-if (see the log for why)")
        return convert.order_preview(answer)

    def _place_bracket(self: IBAdapter, contract: ib_async.Contract, spec: OrderSpec,
                       entry: ib_async.Order) -> OrderKey:
        """Entry first, exits after; only the last one transmits, so IB gets them together."""
        entry.orderId = self.ib.client.getReqId()
        exits = convert.bracket_exits(spec, entry.orderId)
        group = [entry, *exits]
        for order in group:
            order.account = order.account or self.account
            order.transmit = order is group[-1]
            self._send("place", contract, order)
        return OrderKey.of(self.client_id, entry.orderId, 0)

    def modify(
        self: IBAdapter,
        key: OrderKey,
        quantity: float | None = None,
        limit: float | None = None,
        aux: float | None = None,
        tif: str | None = None,
        trailing_percent: float | None = None,
        good_till: str | None = None,
    ) -> None:
        """Send the order again under its own id with the changed terms (None: unchanged)."""
        self._refuse_if_readonly("modify orders")
        trade = self._own_live_trade(key)
        self._require_connection("modify orders")
        # A copy: the row keeps showing what IB confirmed until its openOrder says otherwise.
        order = copy.copy(trade.order)
        if quantity is not None:
            order.totalQuantity = quantity
        if limit is not None:
            order.lmtPrice = limit
        if aux is not None:
            order.auxPrice = aux
        if trailing_percent is not None:
            order.trailingPercent = trailing_percent
        if tif is not None and tif != trade.order.tif:
            order.tif = tif
            self._pending_tif[key] = tif
        if good_till is not None:
            order.goodTillDate = good_till
        self._send("modify", trade.contract, order)

    def _send(self: IBAdapter, action: str, contract: ib_async.Contract,
              order: ib_async.Order) -> ib_async.Trade:
        """placeOrder, journaled whole (contract and every order field) once it has its id."""
        trade = self.ib.placeOrder(contract, order)
        if self.journal is not None:
            sent = trade.order
            key = OrderKey.of(sent.clientId, sent.orderId, sent.permId)
            self.journal.record_order_action(action, key, convert.order_document(contract, sent))
        return trade

    def cancel(self: IBAdapter, key: OrderKey) -> None:
        self._refuse_if_readonly("cancel orders")
        trade = self._own_live_trade(key)
        self._require_connection("cancel orders")
        self.ib.cancelOrder(trade.order)
        if self.journal is not None:
            self.journal.record_order_action(
                "cancel", key, convert.order_document(trade.contract, trade.order))

    def cancel_all(self: IBAdapter) -> None:
        """IB's global cancel: every open order of every client, TWS's own included."""
        self._refuse_if_readonly("cancel orders")
        self._require_connection("cancel orders")
        self.ib.reqGlobalCancel()
        if self.journal is not None:
            self.journal.record_order_action("global_cancel", None, {})

    def subscribe_quote(
        self: IBAdapter, contract: ib_async.Contract,
        on_quote: Callable[[Quote], None] | None = None,
    ) -> None:
        """A live bid/ask/last: `on_quote(quote)` on every update; it stays subscribed across
        1101 and reconnects (the adapter re-requests the line)."""
        self._require_connection("request quotes")
        listener = None if on_quote is None else (lambda t: on_quote(convert.quote(t)))
        self.quotes.subscribe(contract, listener)

    def unsubscribe_quote(self: IBAdapter, contract: ib_async.Contract) -> None:
        self.quotes.unsubscribe(contract)

    def _refuse_if_readonly(self: IBAdapter, action: str) -> None:
        """--readonly: no order request leaves this process."""
        if self.readonly:
            raise ReadOnlyError(f"Read-only: can't {action} (started with --readonly)")

    def _require_connection(self: IBAdapter, action: str) -> None:
        if not self.ib.isConnected():
            raise NotConnectedError(f"Not connected: can't {action}")

    def _own_live_trade(self: IBAdapter, key: OrderKey) -> ib_async.Trade:
        row, trade = self.state.order(key), self._trades.get(key)
        if row is None or trade is None:
            raise NotOurOrderError(f"Order {key} is not known in this session")
        if not row.ours:
            raise NotOurOrderError(f"Order {key}: {_not_ours_reason(row.client_id, row.order_id)}")
        if row.is_ended or trade.isDone():
            raise OrderEndedError(f"Order {key} has ended ({row.status})")
        return trade


def _not_ours_reason(client_id: int, order_id: int) -> str:
    if order_id == 0:
        return "placed in TWS and not bound to the API (connect as client 0 to manage it)"
    return f"placed by client {client_id}; only that client may change it"
