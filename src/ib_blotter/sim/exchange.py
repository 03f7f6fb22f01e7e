"""The paper exchange: order lifecycle, matching against the quote, fills, and their fees.

It knows nothing of sockets. Everything a client should hear about goes out through `notify`
as an event; the server decides which sessions receive it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from .account import (
    INIT_MARGIN,
    MAINT_MARGIN,
    Account,
    commission_for,
    commission_range,
    multiplier,
)
from .instruments import Universe
from .market import Market, Quote, on_grid
from .model import (
    UNSET_DOUBLE,
    Fill,
    Instrument,
    OrderMargin,
    OrderRequest,
    SimContract,
    SimOrder,
    Status,
)
from .rules import Refusal, check_order, parse_algo_time, parse_ib_time, reject

EXCHANGE_TZ = ZoneInfo("US/Eastern")
MAX_SWEEP_LEVELS = 50
DEFAULT_ALGO_SECONDS = 60.0
SLICED_ALGOS = frozenset({"Twap", "Vwap"})


@dataclass(slots=True)
class OrderEvent:
    """Tell the order's audience its status (and, when `open_order`, its full description)."""

    order: SimOrder
    open_order: bool = True


@dataclass(slots=True)
class FillEvent:
    order: SimOrder
    fill: Fill


@dataclass(slots=True)
class ErrorEvent:
    client_id: int  # -1: every connected client
    req_id: int
    code: int
    text: str


@dataclass(slots=True)
class WhatIfEvent:
    order: SimOrder
    margin: OrderMargin


Event = OrderEvent | FillEvent | ErrorEvent | WhatIfEvent


class Exchange:
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
                self._publish(member)
        for member in group:
            if not member.is_done:
                self._work(member, arriving=True)

    def _start_trail(self, order: SimOrder) -> None:
        """TWS reports a trailing stop's first stop price with the order it accepts."""
        if order.request.orderType == "TRAIL" and order.trailStop is None:
            self._trail(order, self.market.quote(order.contract.conId))

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

    # ---- matching --------------------------------------------------------------------------
    def step(self, con_id: int) -> Quote:
        """One market move for an instrument, then every working order on it gets its chance."""
        quote = self.market.step(con_id)
        self.rematch(con_id)
        return quote

    def rematch(self, con_id: int) -> None:
        for order in list(self.working[con_id].values()):
            if not order.is_done:
                self._expire_or_work(order)

    def _expire_or_work(self, order: SimOrder) -> None:
        if order.request.tif == "GTD":
            expiry = parse_ib_time(order.request.goodTillDate)
            if expiry is not None and expiry <= self.now():
                self._finish(order, Status.CANCELLED)
                return
        self._work(order, arriving=False)

    def _work(self, order: SimOrder, arriving: bool) -> None:
        if not order.request.transmit or self._parent_unfilled(order) or order.is_done:
            return
        if self._outside_hours(order) or order.request.orderType in ("MOC", "LOC"):
            return
        if order.request.tif == "OPG":
            return
        quote = self.market.quote(order.contract.conId)
        was_triggered = order.triggered
        if not self._triggered(order, quote):
            return
        released = order.status == Status.PRE_SUBMITTED  # held until now: it reaches the market
        arriving = arriving or released or order.triggered != was_triggered
        if released:
            order.status = Status.SUBMITTED
            self._publish(order)
        quantity = self._slice(order)
        if quantity > 0:
            # an algo's slice is a fresh child order: it takes the touch, not its own limit
            self._match(order, quote, quantity, arriving or _is_sliced(order))
        self._after_immediate(order, arriving)

    def _after_immediate(self, order: SimOrder, arriving: bool) -> None:
        """IOC and FOK never rest: what did not fill on arrival is cancelled."""
        if arriving and order.request.tif in ("IOC", "FOK") and not order.is_done:
            self._finish(order, Status.CANCELLED)

    def _triggered(self, order: SimOrder, quote: Quote) -> bool:
        req = order.request
        if order.triggered or req.orderType not in ("STP", "STP LMT", "TRAIL"):
            return True
        buy = req.action == "BUY"
        if req.orderType == "TRAIL":
            self._trail(order, quote)
            stop = order.trailStop
        else:
            stop = req.auxPrice
        if stop is None or not (quote.last >= stop if buy else quote.last <= stop):
            return False
        order.triggered = True
        return True

    def _trail(self, order: SimOrder, quote: Quote) -> None:
        req = order.request
        tick = self.instrument(order).minTick
        if req.trailingPercent is not None:
            offset = quote.last * req.trailingPercent / 100
        else:
            offset = req.auxPrice or 0.0
        buy = req.action == "BUY"
        candidate = on_grid(quote.last + offset if buy else quote.last - offset, tick)
        stop = order.trailStop
        if stop is None or (candidate < stop if buy else candidate > stop):
            order.trailStop = candidate
            if stop is not None:
                self._publish(order)  # TWS re-sends the order when its trail stop moves

    def _slice(self, order: SimOrder) -> float:
        """How much may trade now: everything, or an algo's schedule so far."""
        req = order.request
        if not _is_sliced(order):
            return order.remaining
        start, end = self._algo_window(order)
        now = self.clock()
        if now < start:
            return 0.0
        done = 1.0 if end <= start else min(1.0, (now - start) / (end - start))
        increment = self.instrument(order).sizeIncrement
        target = req.totalQuantity * done
        due = (target - order.filled) // increment * increment
        return min(max(due, 0.0), order.remaining)

    def _algo_window(self, order: SimOrder) -> tuple[float, float]:
        params = {p.tag: p.value for p in order.request.algoParams}
        today = self.now().date()
        start_at = parse_algo_time(params.get("startTime", ""), today)
        end_at = parse_algo_time(params.get("endTime", ""), today)
        start = start_at.timestamp() if start_at else order.placedAt
        end = end_at.timestamp() if end_at else start + DEFAULT_ALGO_SECONDS
        return start, end

    def _limit(self, order: SimOrder, quote: Quote) -> float | None:
        """The worst price this order accepts now; None for market."""
        req = order.request
        kind = req.orderType
        if kind in ("LMT", "STP LMT", "LOC"):
            return req.lmtPrice
        if kind == "MIDPRICE":
            return req.lmtPrice  # a cap, when given
        return None

    def _match(self, order: SimOrder, quote: Quote, quantity: float, arriving: bool) -> None:
        inst = self.instrument(order)
        limit = self._limit(order, quote)
        if order.request.orderType == "MIDPRICE":
            self._match_mid(order, quote, quantity, limit)
            return
        if order.request.tif == "FOK" and not self._can_fill_all(order, quote, limit):
            return
        buy = order.request.action == "BUY"
        if not arriving and limit is not None:
            self._match_resting(order, quote, quantity, limit)
            return
        touch = quote.ask if buy else quote.bid
        size = quote.askSize if buy else quote.bidSize
        for level in range(MAX_SWEEP_LEVELS):
            if quantity <= 0 or order.is_done:
                return
            price = on_grid(touch + level * inst.minTick * (1 if buy else -1), inst.minTick)
            if limit is not None and (price > limit if buy else price < limit):
                return
            available = size * (1 + level * 0.5)
            take = min(quantity, available)
            self._execute(order, take, price, liquidity=2)
            quantity -= take

    def _match_resting(self, order: SimOrder, quote: Quote, quantity: float, limit: float) -> None:
        """A resting limit fills at its price when the market trades through or at it."""
        buy = order.request.action == "BUY"
        crossed = quote.ask <= limit if buy else quote.bid >= limit
        touched = quote.last <= limit if buy else quote.last >= limit
        if not (crossed or touched):
            return
        size = (quote.askSize if buy else quote.bidSize) if crossed else quote.lastSize
        self._execute(order, min(quantity, max(size, 1.0)), limit, liquidity=1)

    def _match_mid(self, order: SimOrder, quote: Quote, quantity: float, cap: float | None) -> None:
        buy = order.request.action == "BUY"
        mid = round(quote.mid, 6)
        if cap is not None and (mid > cap if buy else mid < cap):
            return
        size = min(quote.askSize, quote.bidSize)
        self._execute(order, min(quantity, size), mid, liquidity=1)

    def _can_fill_all(self, order: SimOrder, quote: Quote, limit: float | None) -> bool:
        buy = order.request.action == "BUY"
        tick = self.instrument(order).minTick
        touch = quote.ask if buy else quote.bid
        size = quote.askSize if buy else quote.bidSize
        total = 0.0
        for level in range(MAX_SWEEP_LEVELS):
            price = touch + level * tick * (1 if buy else -1)
            if limit is not None and (price > limit + 1e-9 if buy else price < limit - 1e-9):
                break
            total += size * (1 + level * 0.5)
        return total >= order.remaining

    # ---- auctions --------------------------------------------------------------------------
    def auction(self, which: str) -> None:
        """Run the opening or closing auction: OPG orders (open), MOC/LOC (close), DAY expiry."""
        for con_id, orders in self.working.items():
            quote = self.market.quote(con_id)
            for order in list(orders.values()):
                if not order.is_done and _in_auction(order, which):
                    self._cross_auction(order, quote.last)
        if which == "close":
            for orders in self.working.values():
                for order in list(orders.values()):
                    if not order.is_done and order.request.tif in ("DAY", ""):
                        self._finish(order, Status.CANCELLED)

    def _cross_auction(self, order: SimOrder, price: float) -> None:
        limit = order.request.lmtPrice if order.request.orderType in ("LMT", "LOC") else None
        buy = order.request.action == "BUY"
        if limit is not None and (price > limit if buy else price < limit):
            self._finish(order, Status.CANCELLED)
            return
        self._execute(order, order.remaining, price, liquidity=3)

    # ---- executions ------------------------------------------------------------------------
    def _execute(self, order: SimOrder, quantity: float, price: float, liquidity: int) -> None:
        if quantity <= 0:
            return
        inst = self.instrument(order)
        prior = order.filled
        order.filled = prior + quantity
        order.avgFillPrice = (order.avgFillPrice * prior + price * quantity) / order.filled
        order.lastFillPrice = price
        billed = self._charged.get(order.permId, 0.0)
        owed = commission_for(inst, order.filled, order.avgFillPrice)
        commission = round(max(owed - billed, 0.0), 2)
        self._charged[order.permId] = billed + commission
        signed = quantity if order.request.action == "BUY" else -quantity
        account = self.accounts[order.request.account]
        realized = account.apply_fill(inst, signed, price, commission)
        self.market.record_trade(inst.contract.conId, price, quantity)
        fill = self._fill_record(order, quantity, price, liquidity, commission, realized)
        self.fills.append(fill)
        self.notify(FillEvent(order, fill))
        if order.remaining <= 1e-9:
            self._on_filled(order)
        else:
            self._publish(order, open_order=False)
        self._oca_reduce(order, quantity)

    def _fill_record(
        self,
        order: SimOrder,
        quantity: float,
        price: float,
        liquidity: int,
        commission: float,
        realized: float | None,
    ) -> Fill:
        exchange = order.contract.primaryExchange or order.contract.exchange
        seq = next(self._exec_seq)
        return Fill(
            execId=f"{order.permId:08x}.{self._exec_stamp}.{seq:02x}.01",
            orderId=order.orderId,
            clientId=order.clientId,
            permId=order.permId,
            contract=order.contract,
            account=order.request.account,
            side="BOT" if order.request.action == "BUY" else "SLD",
            shares=quantity,
            price=price,
            exchange=exchange if exchange != "SMART" else "ISLAND",
            time=self.time_text(),
            timestamp=self.clock(),
            cumQty=order.filled,
            avgPrice=order.avgFillPrice,
            orderRef=order.request.orderRef,
            lastLiquidity=liquidity,
            commission=commission,
            realizedPNL=realized if realized is not None else UNSET_DOUBLE,
        )

    def _on_filled(self, order: SimOrder) -> None:
        self._finish(order, Status.FILLED)
        for child in self._children(order):
            self._work_child(child)
        self._oca_cancel(order)

    def _work_child(self, child: SimOrder) -> None:
        child.status = self._resting_status(child)
        self._publish(child)
        self._work(child, arriving=True)

    def _oca_siblings(self, order: SimOrder) -> list[SimOrder]:
        group = order.request.ocaGroup
        siblings = []
        for orders in self.working.values():
            for other in orders.values():
                same_group = group and other.request.ocaGroup == group
                # IB makes the children of one bracket an implicit OCA group
                same_bracket = (
                    order.request.parentId
                    and other.clientId == order.clientId
                    and other.request.parentId == order.request.parentId
                )
                if other is not order and not other.is_done and (same_group or same_bracket):
                    siblings.append(other)
        return siblings

    def _oca_cancel(self, order: SimOrder) -> None:
        if order.request.ocaType in (2, 3) and not order.request.parentId:
            return
        for sibling in self._oca_siblings(order):
            self._cancel(sibling, reason="OCA group filled")

    def _oca_reduce(self, order: SimOrder, quantity: float) -> None:
        if order.request.ocaType not in (2, 3) or order.request.parentId:
            return
        for sibling in self._oca_siblings(order):
            sibling.request.totalQuantity = max(
                sibling.request.totalQuantity - quantity, sibling.filled
            )
            if sibling.remaining <= 0:
                self._finish(sibling, Status.CANCELLED)
            else:
                self._publish(sibling)

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


def _is_sliced(order: SimOrder) -> bool:
    return order.request.algoStrategy in SLICED_ALGOS


def _in_auction(order: SimOrder, which: str) -> bool:
    if which == "open":
        return order.request.tif == "OPG"
    return order.request.orderType in ("MOC", "LOC")
