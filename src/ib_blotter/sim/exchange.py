"""The paper exchange: order lifecycle (place, modify, cancel, brackets) and what-if answers.

It knows nothing of sockets. Everything a client should hear about goes out through `notify`
as an event; the server decides which sessions receive it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from dataclasses import replace
from zoneinfo import ZoneInfo

from .account import (
    INIT_MARGIN,
    MAINT_MARGIN,
    Account,
    commission_range,
    multiplier,
)
from .events import ErrorEvent, Event, OrderEvent, WhatIfEvent
from .instruments import Universe
from .market import Market
from .matching import Matching
from .model import (
    Fill,
    Instrument,
    OrderMargin,
    OrderRequest,
    SimContract,
    SimOrder,
    Status,
)
from .rules import Refusal, check_order, reject

EXCHANGE_TZ = ZoneInfo("US/Eastern")


class Exchange(Matching):
    """Orders by (clientId, orderId) and permId; matching per instrument on every market step."""

    def __init__(
        self,
        universe: Universe,
        market: Market,
        accounts: list[str],
        clock: Callable[[], float],
        notify: Callable[[Event], None],
    ) -> None:
        self.universe = universe
        self.market = market
        self.accounts = {name: Account(name) for name in accounts}
        self.clock = clock
        self.notify = notify
        self.orders: dict[tuple[int, int], SimOrder] = {}
        self.by_perm: dict[int, SimOrder] = {}
        self.working: dict[int, dict[int, SimOrder]] = {c: {} for c in market.instruments}
        self.fills: list[Fill] = []
        self.session = "regular"  # regular | extended | closed: whether outsideRth matters
        self._perm_ids = itertools.count(int(clock()) % 1_000_000 * 1000 + 1)
        self._exec_seq = itertools.count(1)
        self._exec_stamp = f"{int(clock()):08x}"
        self._highest_id: dict[int, int] = {}
        self._charged: dict[int, float] = {}  # permId -> commission billed so far
        self._manual_ids = itertools.count(-1, -1)

    # ---- clock and identifiers -------------------------------------------------------------
    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), EXCHANGE_TZ)

    def time_text(self) -> str:
        return self.now().strftime("%Y%m%d %H:%M:%S US/Eastern")

    def next_order_id(self, client_id: int) -> int:
        return self._highest_id.get(client_id, 0) + 1

    def instrument(self, order: SimOrder) -> Instrument:
        return self.universe.by_con_id[order.contract.conId]

    # ---- placing ---------------------------------------------------------------------------
    def place(
        self, client_id: int, order_id: int, contract: SimContract, req: OrderRequest
    ) -> None:
        """A placeOrder: a new order, or a modify of a known id. If it fails half way, the
        order it left working is rejected; a failure before any order exists is raised."""
        try:
            self._place(client_id, order_id, contract, req)
        except Exception as exc:
            order = self.orders.get((client_id, order_id))
            if order is None or order.is_done:
                raise
            self._fail(order, exc)

    def _place(
        self, client_id: int, order_id: int, contract: SimContract, req: OrderRequest
    ) -> None:
        existing = self.orders.get((client_id, order_id))
        if existing is not None and not req.whatIf:
            self._modify(existing, contract, req)
            return
        inst = self._resolve(client_id, order_id, contract)
        if inst is None:
            return
        if order_id <= self._highest_id.get(client_id, 0) and not req.whatIf:
            self._error(client_id, order_id, 103, "Duplicate order id")
            return
        req = self._with_defaults(req)
        refusal = check_order(inst, req, self.now())
        if req.whatIf:
            self._what_if(client_id, order_id, inst, req, refusal)
            return
        self._highest_id[client_id] = max(order_id, self._highest_id.get(client_id, 0))
        order = self._new_order(client_id, order_id, inst, req)
        if refusal:
            self._refuse_new(order, refusal)
            return
        self._accept(order)

    def _resolve(self, client_id: int, req_id: int, contract: SimContract) -> Instrument | None:
        matches = self.universe.match(contract)
        if len(matches) == 1:
            return matches[0]
        if matches:
            text = f"The contract description specified for {contract.symbol} is ambiguous."
        else:
            text = "No security definition has been found for the request"
        self._error(client_id, req_id, 200, text)
        return None

    def _with_defaults(self, req: OrderRequest) -> OrderRequest:
        account = req.account or next(iter(self.accounts))
        return replace(req, account=account, tif=req.tif or "DAY")

    def _new_order(
        self, client_id: int, order_id: int, inst: Instrument, req: OrderRequest
    ) -> SimOrder:
        contract = replace(inst.contract)
        order = SimOrder(
            order_id,
            client_id,
            next(self._perm_ids),
            contract,
            req,
            status=Status.PRE_SUBMITTED,
            placedAt=self.clock(),
        )
        order.trailStop = req.trailStopPrice
        return order

    def _refuse_new(self, order: SimOrder, refusal: Refusal) -> None:
        self._error(order.clientId, order.orderId, refusal.code, refusal.text)
        self._index(order)
        self._finish(order, Status.INACTIVE if refusal.code != 110 else Status.CANCELLED)

    def _reject(self, order: SimOrder, reason: str) -> None:
        """Reject an order TWS had accepted: 201, Inactive, and its held children cancelled."""
        self._error(order.clientId, order.orderId, 201, f"Order rejected - reason:{reason}")
        self._finish(order, Status.INACTIVE)
        for child in self._children(order):
            if not child.is_done:
                self._cancel(child, reason="Parent order rejected")

    def _accept(self, order: SimOrder) -> None:
        if order.request.account not in self.accounts:
            self._index(order)
            self._error(
                order.clientId,
                order.orderId,
                201,
                f"Order rejected - reason:Unknown account {order.request.account}",
            )
            self._finish(order, Status.INACTIVE)
            return
        self._index(order)
        self.working[order.contract.conId][order.permId] = order
        if not order.request.transmit:
            self._publish(order)  # held in "TWS" until a later order of its group transmits
            return
        self._transmit(order)

    def _transmit(self, order: SimOrder) -> None:
        """Send an order on; the last child of a bracket transmits its parent and siblings."""
        group = self._bracket_of(order)
        for member in group:
            member.request.transmit = True
        for member in group:
            if not member.is_done:
                member.status = self._resting_status(member)
                self._start_trail(member)
            if not member.is_done:
                self._publish(member)
        for member in group:
            if not member.is_done:
                self._work(member, arriving=True)

    def _start_trail(self, order: SimOrder) -> None:
        """TWS reports a trailing stop's first stop price with the order it accepts."""
        if order.request.orderType == "TRAIL" and order.trailStop is None:
            try:
                self._trail(order, self.market.quote(order.contract.conId))
            except Exception as exc:
                self._fail(order, exc)

    def _bracket_of(self, order: SimOrder) -> list[SimOrder]:
        parent = self.orders.get((order.clientId, order.request.parentId))
        root = parent if order.request.parentId and parent is not None else order
        pending = [c for c in self._children(root) if not c.request.transmit or c is order]
        return [root, *(c for c in pending if c is not root)]

    def add_manual_order(self, contract: SimContract, req: OrderRequest) -> SimOrder | None:
        """An order 'typed into TWS by hand': client 0, order id 0 until client 0 binds it."""
        inst = self._resolve(0, -1, contract)
        if inst is None:
            return None
        req = self._with_defaults(req)
        refusal = check_order(inst, req, self.now())
        if refusal:
            self._error(-1, -1, refusal.code, refusal.text)
            return None
        order = SimOrder(
            0, 0, next(self._perm_ids), replace(inst.contract), req, placedAt=self.clock()
        )
        self.by_perm[order.permId] = order
        self.working[order.contract.conId][order.permId] = order
        self._transmit(order)
        return order

    def bind_manual_orders(self) -> list[SimOrder]:
        """Client 0 binds unbound manual orders: each gets a negative order id, as TWS does."""
        bound = []
        for order in self.by_perm.values():
            if order.clientId == 0 and order.orderId == 0 and not order.is_done:
                order.orderId = next(self._manual_ids)
                self.orders[(0, order.orderId)] = order
                bound.append(order)
        return bound

    # ---- modify and cancel -----------------------------------------------------------------
    def _modify(self, order: SimOrder, contract: SimContract, req: OrderRequest) -> None:
        if order.status == Status.FILLED:
            self._error(order.clientId, order.orderId, 104, "Can't modify a filled order.")
            return
        if order.is_done:
            self._error(order.clientId, order.orderId, 103, "Duplicate order id")
            return
        req = self._with_defaults(req)
        if req.action != order.request.action or (
            contract.conId and contract.conId != order.contract.conId
        ):
            self._error(
                order.clientId,
                order.orderId,
                105,
                "Order being modified does not match original order.",
            )
            return
        refusal = check_order(self.instrument(order), req, self.now())
        if refusal is None and req.totalQuantity < order.filled:
            refusal = reject("The new quantity is below the quantity already filled.")
        if refusal:
            self._error(order.clientId, order.orderId, refusal.code, refusal.text)
            return
        was_transmitted = order.request.transmit
        order.request = req
        if req.trailStopPrice is not None:
            order.trailStop = req.trailStopPrice
        if not was_transmitted and req.transmit:
            self._transmit(order)
            return
        order.status = self._resting_status(order)
        self._publish(order)
        self._work(order, arriving=True)

    def cancel(self, client_id: int, order_id: int) -> None:
        order = self.orders.get((client_id, order_id))
        if order is None:
            self._error(
                client_id,
                order_id,
                10147,
                f"OrderId {order_id} that needs to be cancelled is not found.",
            )
            return
        if order.is_done:
            self._error(
                client_id,
                order_id,
                10148,
                f"OrderId {order_id} that needs to be cancelled cannot be cancelled, "
                f"state: {order.status.value}.",
            )
            return
        self._cancel(order, reason="")

    def cancel_all(self) -> None:
        for order in [o for o in self.by_perm.values() if not o.is_done]:
            self._cancel(order, reason="")

    def _cancel(self, order: SimOrder, reason: str) -> None:
        order.status = Status.PENDING_CANCEL
        self._publish(order, open_order=False)
        self._finish(order, Status.CANCELLED)
        self._error(order.clientId, order.orderId, 202, f"Order Canceled - reason:{reason}")
        for child in self._children(order):
            if not child.is_done:
                self._cancel(child, reason="Parent order cancelled")

    def _children(self, parent: SimOrder) -> Iterable[SimOrder]:
        return [
            o
            for o in self.working[parent.contract.conId].values()
            if o.clientId == parent.clientId
            and o.request.parentId == parent.orderId
            and parent.orderId != 0
        ]

    # ---- state changes ---------------------------------------------------------------------
    def _index(self, order: SimOrder) -> None:
        self.orders[(order.clientId, order.orderId)] = order
        self.by_perm[order.permId] = order

    def _finish(self, order: SimOrder, status: Status) -> None:
        order.status = status
        order.completedStatus = status.value
        order.completedTime = self.time_text()
        self.working[order.contract.conId].pop(order.permId, None)
        self._publish(order)

    def _publish(self, order: SimOrder, open_order: bool = True) -> None:
        self.notify(OrderEvent(order, open_order))

    def _error(self, client_id: int, req_id: int, code: int, text: str) -> None:
        self.notify(ErrorEvent(client_id, req_id, code, text))

    def _resting_status(self, order: SimOrder) -> Status:
        """PreSubmitted while held (untriggered stop, parent unfilled, auction, hours)."""
        req = order.request
        if not req.transmit or self._parent_unfilled(order):
            return Status.PRE_SUBMITTED
        if req.orderType in ("MOC", "LOC") or req.tif == "OPG":
            return Status.PRE_SUBMITTED
        if req.orderType in ("STP", "STP LMT", "TRAIL") and not order.triggered:
            return Status.PRE_SUBMITTED
        if self._outside_hours(order):
            return Status.PRE_SUBMITTED
        return Status.SUBMITTED

    def _parent_unfilled(self, order: SimOrder) -> bool:
        if not order.request.parentId:
            return False
        parent = self.orders.get((order.clientId, order.request.parentId))
        return parent is not None and parent.status != Status.FILLED

    def _outside_hours(self, order: SimOrder) -> bool:
        if self.session == "closed":
            return True
        return (
            self.session == "extended"
            and not order.request.outsideRth
            and order.contract.secType == "STK"
        )

    # ---- what-if -----------------------------------------------------------------------------
    def _what_if(
        self,
        client_id: int,
        order_id: int,
        inst: Instrument,
        req: OrderRequest,
        refusal: Refusal | None,
    ) -> None:
        if refusal:
            self._error(client_id, order_id, refusal.code, refusal.text)
            return
        order = SimOrder(order_id, client_id, 0, replace(inst.contract), req)
        self.notify(WhatIfEvent(order, self.margin_for(inst, req)))

    def margin_for(self, inst: Instrument, req: OrderRequest) -> OrderMargin:
        account = self.accounts.get(req.account) or next(iter(self.accounts.values()))
        marks = self.marks()
        before = account.values(marks)
        quote = self.market.quote(inst.contract.conId)
        price = req.lmtPrice or (quote.ask if req.action == "BUY" else quote.bid)
        notional = req.totalQuantity * price * multiplier(inst)
        sec_type = inst.contract.secType
        held = account.holding(inst).position
        signed = req.totalQuantity if req.action == "BUY" else -req.totalQuantity
        # margin follows the absolute position: closing trades release it
        change = (abs(held + signed) - abs(held)) * price * multiplier(inst)
        init_change = change * INIT_MARGIN[sec_type]
        maint_change = change * MAINT_MARGIN[sec_type]
        low, high = commission_range(inst, req.totalQuantity, price)
        warning = ""
        if init_change > before["AvailableFunds"]:
            warning = "Insufficient funds: the order would exceed available funds."
        elif notional > before["NetLiquidation"]:
            warning = "The order value exceeds the account's net liquidation value."
        return OrderMargin(
            initMarginBefore=before["InitMarginReq"],
            maintMarginBefore=before["MaintMarginReq"],
            equityWithLoanBefore=before["EquityWithLoanValue"],
            initMarginChange=init_change,
            maintMarginChange=maint_change,
            equityWithLoanChange=-low,
            initMarginAfter=before["InitMarginReq"] + init_change,
            maintMarginAfter=before["MaintMarginReq"] + maint_change,
            equityWithLoanAfter=before["EquityWithLoanValue"] - low,
            commission=low,
            minCommission=low,
            maxCommission=high,
            warningText=warning,
        )

    def marks(self) -> dict[int, float]:
        return {con_id: q.last for con_id, q in self.market.quotes.items()}
