"""`OrderRequests`: what the trader asks of IB: look-ups, quotes, what-ifs, and the approved
requests (orders, changes, cancels, global cancel). A mixin of IBAdapter.

Nothing is sent that the gate (`state/gate.py`) has not decided and the trader not approved:
`send` takes an `Approval` only, and decides it again against what this adapter knows now
(the connection, read-only, the order as IB last reported it, the market) before anything
leaves. Reads (contract look-ups, quotes) need only the connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import ib_async

from ib_blotter.ib import convert
from ib_blotter.ib.errors import AdapterError, NotConnectedError, RefusedError
from ib_blotter.ib.quotes import Listener
from ib_blotter.state import gate
from ib_blotter.state.gate import Action, Approval, Request, Situation
from ib_blotter.state.records import (
    ComboLeg,
    ContractSpec,
    Greeks,
    OrderKey,
    OrderPreview,
    OrderSpec,
    Quote,
)
from ib_blotter.state.spreads import net_quote

if TYPE_CHECKING:
    from ib_blotter.ib.adapter import IBAdapter

QUOTE_WAIT = 1.0  # seconds a change waits for its contract's first quote before deciding


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
        wanted = convert.ib_contract(symbol, sec_type, exchange, currency)
        return await self.resolve_contract(wanted, symbol, timeout)

    async def resolve_contract(
        self: IBAdapter, wanted: ib_async.Contract, symbol: str, timeout: float = 10.0
    ) -> list[tuple[ib_async.Contract, ContractSpec]]:
        """Every contract IB matches `wanted` with (`symbol`: what the trader typed)."""
        self._require_connection("look up contracts")
        try:
            details = await asyncio.wait_for(self.ib.reqContractDetailsAsync(wanted), timeout)
        except TimeoutError as exc:
            raise AdapterError(f"No answer about {symbol} within {timeout:g} s") from exc
        except ConnectionError as exc:
            raise NotConnectedError(f"Connection lost while looking up {symbol}") from exc
        found = [(d.contract, replace(convert.contract_spec(d),
                                      price_rule=await self.rules.rule_of(d)))
                 for d in details if d.contract]
        for contract, spec in found:
            self._min_ticks[spec.con_id] = spec.min_tick
            self._price_rules[spec.con_id] = spec.price_rule
            self._magnifiers[spec.con_id] = spec.price_magnifier
            self._know(contract)
        return found

    # -- the gate's view from here ---------------------------------------------------------

    def situation(self: IBAdapter, con_id: int = 0, account: str = "",
                  legs: Sequence[ComboLeg] = ()) -> Situation:
        """What the gate judges a request on: the connection, read-only, the limits, the
        market of contract `con_id` (a combo's: its `legs`' net) as this session last heard
        it, and the account's base currency and exchange rates."""
        return Situation(connected=self.ib.isConnected() and self.link.usable,
                         readonly=self.readonly, limits=self.limits,
                         quote=self._quote_of(con_id, legs),
                         rates=self.rates_of(account or self.account))

    def _quote_of(self: IBAdapter, con_id: int, legs: Sequence[ComboLeg]) -> Quote | None:
        """Every BAG has the same conId: a combo's market is its legs' net."""
        if legs:
            return net_quote([(leg, self.quotes.quote(leg.con_id)) for leg in legs])
        return self.quotes.quote(con_id)

    def decide(self: IBAdapter, request: Request) -> gate.Decision:
        return gate.decide(self._as_now(request), self._situation_of(request))

    def _situation_of(self: IBAdapter, request: Request) -> Situation:
        account = request.order.account if request.order is not None else ""
        return self.situation(_con_id(request), account, _legs(request))

    async def market(self: IBAdapter, contract: ib_async.Contract) -> Quote | None:
        """The quote of a contract (a combo's: its legs'), asked for if this session has none
        yet (a request is judged against the market); None when IB sends none within
        QUOTE_WAIT."""
        if not self.ib.isConnected():
            return None
        legs = convert.combo_legs(contract, {}) if contract.secType == "BAG" else ()
        watched = [ib_async.Contract(conId=leg.con_id, exchange="SMART") for leg in legs] \
            if legs else [contract]
        if self._quote_of(contract.conId, legs) is None:
            for one in watched:
                self.quotes.watch(one)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + QUOTE_WAIT
            while self._quote_of(contract.conId, legs) is None and loop.time() < deadline:
                await asyncio.sleep(0.02)
        return self._quote_of(contract.conId, legs)

    async def market_for(self: IBAdapter, key: OrderKey) -> Quote | None:
        """The quote of an order's contract (see `market`)."""
        trade = self._trades.get(key)
        return None if trade is None else await self.market(trade.contract)

    # -- sending ---------------------------------------------------------------------------

    def send(self: IBAdapter, approval: Approval,
             contract: ib_async.Contract | None = None) -> OrderKey | None:
        """Send what the trader approved (a new order needs its IB `contract`), after the
        gate says yes once more; returns the key of the order placed or changed."""
        request = self._as_now(approval.request)
        try:
            gate.recheck(replace(approval, decision=replace(approval.decision, request=request)),
                         self._situation_of(request))
        except gate.NotApprovedError as exc:
            raise RefusedError(str(exc)) from exc
        action = request.action
        if action is Action.PLACE:
            if contract is None or request.order is None:
                raise RefusedError("Not sent: no contract for the order")
            return self._place(contract, request.order, approval.key)
        if action is Action.CANCEL_ALL:
            self.ib.reqGlobalCancel()
            self._journal_action("global_cancel", None, {}, approval.key)
            return None
        key, trade = self._trade_of(request)
        if action is Action.CANCEL:
            self.ib.cancelOrder(trade.order)
            self._journal_action("cancel", key, convert.order_document(trade.contract,
                                                                       trade.order), approval.key)
            return key
        if request.order is None:
            raise RefusedError("Not sent: no new terms for the order")
        changed = convert.changed_order(trade.order, request.order,
                                        parent_done=self._parent_done(trade))
        self._send("modify", trade.contract, changed, approval.key)
        return key

    async def what_if(self: IBAdapter, contract: ib_async.Contract, spec: OrderSpec,
                      timeout: float = 5.0) -> OrderPreview:
        """IB's commission and margin figures for this order, without placing it."""
        decision = self.decide(Request(Action.WHAT_IF, spec, _spec_of(contract)))
        if not decision.allowed:  # a what-if is a placeOrder to TWS: read-only refuses it
            raise RefusedError(decision.refusal)
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

    def _place(self: IBAdapter, contract: ib_async.Contract, spec: OrderSpec,
               key: str) -> OrderKey:
        order = convert.ib_order(spec)
        order.account = order.account or self.account
        if not spec.is_bracket:
            trade = self._send("place", contract, order, key)
            return OrderKey.of(trade.order.clientId, trade.order.orderId, trade.order.permId)
        return self._place_bracket(contract, spec, order, key)

    def _place_bracket(self: IBAdapter, contract: ib_async.Contract, spec: OrderSpec,
                       entry: ib_async.Order, key: str) -> OrderKey:
        """Entry first, exits after; only the last one transmits, so IB gets them together."""
        entry.orderId = self.ib.client.getReqId()
        exits = convert.bracket_exits(spec, entry.orderId)
        group = [entry, *exits]
        for order in group:
            order.account = order.account or self.account
            order.transmit = order is group[-1]
            self._send("place", contract, order, key)
        return OrderKey.of(self.client_id, entry.orderId, 0)

    def _send(self: IBAdapter, action: str, contract: ib_async.Contract,
              order: ib_async.Order, key: str) -> ib_async.Trade:
        """placeOrder, journaled whole (contract and every field of the order as sent, with
        the key that sent it) once it has its id."""
        trade = self.ib.placeOrder(contract, order)
        sent = OrderKey.of(order.clientId, order.orderId, order.permId)
        self._journal_action(action, sent, convert.order_document(contract, order), key)
        return trade

    def _journal_action(self: IBAdapter, action: str, order_key: OrderKey | None,
                        document: dict[str, object], key: str) -> None:
        if self.journal is not None:
            self.journal.record_order_action(action, order_key, {"key": key, **document})

    # -- what the request is about, as IB reports it now -----------------------------------

    def _as_now(self: IBAdapter, request: Request) -> Request:
        """The request with its target as the state shows it now (it may have filled since
        the trader looked)."""
        target = request.target
        if target is None:
            return request
        return replace(request, target=self.state.order(target.key) or target)

    def _trade_of(self: IBAdapter, request: Request) -> tuple[OrderKey, ib_async.Trade]:
        target = request.target
        trade = self._trades.get(target.key) if target is not None else None
        if target is None or trade is None:
            raise RefusedError("Not sent: the order is not known in this session")
        if trade.isDone():
            raise RefusedError(f"Not sent: order {target.order_id} has ended")
        return target.key, trade

    def _parent_done(self: IBAdapter, trade: ib_async.Trade) -> bool:
        """A bracket child's parent has filled (or is gone): the child now stands alone."""
        parent_id = trade.order.parentId
        if not parent_id:
            return False
        parent = self.state.order(OrderKey(client_id=trade.order.clientId, order_id=parent_id))
        return parent is None or parent.is_ended

    # -- quotes ----------------------------------------------------------------------------

    def subscribe_quote(
        self: IBAdapter, contract: ib_async.Contract,
        on_quote: Callable[[Quote], None] | None = None,
    ) -> Listener | None:
        """A live bid/ask/last: `on_quote(quote)` on every update; it stays subscribed across
        1101 and reconnects (the adapter re-requests the line). Returns the handle that
        `unsubscribe_quote` takes (others may listen to the same line)."""
        self._require_connection("request quotes")
        listener = None if on_quote is None else (lambda t: on_quote(convert.quote(t)))
        self.quotes.subscribe(contract, listener)
        return listener

    def subscribe_option(
        self: IBAdapter, contract: ib_async.Contract,
        on_update: Callable[[Quote, Greeks | None], None],
    ) -> Listener:
        """An option's live bid/ask/last and model greeks, as `subscribe_quote`."""
        self._require_connection("request quotes")

        def listener(ticker: ib_async.Ticker) -> None:
            on_update(convert.quote(ticker), convert.greeks(ticker))

        self.quotes.subscribe(contract, listener)
        return listener

    def unsubscribe_quote(self: IBAdapter, contract: ib_async.Contract,
                          handle: Listener | None = None) -> None:
        """The handle's listener stops; the line goes with its last listener."""
        self.quotes.unsubscribe(contract, handle)

    def _require_connection(self: IBAdapter, action: str) -> None:
        if not self.ib.isConnected():
            raise NotConnectedError(f"Not connected: can't {action}")


def _legs(request: Request) -> tuple[ComboLeg, ...]:
    if request.contract is not None and request.contract.legs:
        return request.contract.legs
    return request.target.legs if request.target is not None else ()


def _con_id(request: Request) -> int:
    if request.contract is not None:
        return request.contract.con_id
    return request.target.con_id if request.target is not None else 0


def _spec_of(contract: ib_async.Contract) -> ContractSpec:
    return ContractSpec(symbol=contract.symbol, sec_type=contract.secType, min_tick=0.0,
                        con_id=contract.conId, legs=convert.combo_legs(contract, {}))
