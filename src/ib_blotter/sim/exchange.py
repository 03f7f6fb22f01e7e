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

from .account import Account, unit_value
from .combo_matching import ComboMatching
from .combos import COMBO_CON_ID, NO_LEGS
from .commissions import combo_commission, commission_range
from .events import ErrorEvent, Event, OrderEvent, WhatIfEvent
from .holds import Holds
from .instruments import Universe
from .market import Market, MarketMarks, PricedMarks
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
from .rules import (
    Refusal,
    check_order,
    no_security_text,
    price_band_reason,
    reject,
)

EXCHANGE_TZ = ZoneInfo("US/Eastern")


class Exchange(Holds, ComboMatching, Matching):
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
        self.working[COMBO_CON_ID] = {}  # every combo, whatever its legs
        self.fills: list[Fill] = []
        self.session = "regular"  # regular | extended | closed: whether outsideRth matters
        self.master_client_id: int | None = None  # set by the server from its configuration
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
        """A date-time with its zone name, as TWS writes completedTime and the connect time."""
        return self.now().strftime("%Y%m%d %H:%M:%S US/Eastern")

    def execution_time_text(self) -> str:
        """An execution's time at server versions <= 178: TWS's local time, two spaces, no
        zone (a zone name appears only from version 200)."""
        return self.now().strftime("%Y%m%d  %H:%M:%S")

    def next_order_id(self, client_id: int) -> int:
        return self._highest_id.get(client_id, 0) + 1

    def instrument(self, order: SimOrder) -> Instrument:
        if order.contract.secType == "BAG":
            combo = self.universe.combo(order.contract)
            if combo is None:
                raise KeyError(f"combo {order.contract.comboLegsDescrip} has unknown legs")
            return combo
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
        req = self._with_defaults(client_id, req)
        refusal = check_order(inst, req, self.now())
        if req.whatIf:
            self._what_if(client_id, order_id, inst, req, refusal)
            return
        if refusal and refusal.code != 201:  # TWS's validation: the error alone, nothing else
            self._error(client_id, order_id, refusal.code, refusal.text)
            return
        self._highest_id[client_id] = max(order_id, self._highest_id.get(client_id, 0))
        order = self._new_order(client_id, order_id, inst, req)
        if refusal:
            self._refuse_new(order, refusal)
            return
        self._accept(order)

    def _resolve(self, client_id: int, req_id: int, contract: SimContract) -> Instrument | None:
        if contract.secType.upper() == "BAG" and not contract.comboLegs:
            self._error(client_id, req_id, 321, NO_LEGS)
            return None
        matches = self.universe.match(contract)
        if len(matches) == 1:
            return matches[0]
        self._error(client_id, req_id, 200, no_security_text(contract, matches))
        return None

    def _with_defaults(self, client_id: int, req: OrderRequest) -> OrderRequest:
        """What TWS fills in: the first account, DAY, ocaType 3; a bracket child's OCA group
        is its parent's permId."""
        account = req.account or next(iter(self.accounts))
        req = replace(req, account=account, tif=req.tif or "DAY")
        parent = self.orders.get((client_id, req.parentId)) if req.parentId else None
        if parent is not None:
            req.ocaGroup, req.ocaType = str(parent.permId), 3
        elif not req.ocaGroup and req.ocaType == 0:
            req.ocaType = 3
        return req

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
        if req.parentId:
            order.parent = self.orders.get((client_id, req.parentId))
        return order

    def _refuse_new(self, order: SimOrder, refusal: Refusal) -> None:
        """IB's own checks (201): the error, then the order as Inactive."""
        self._error(order.clientId, order.orderId, refusal.code, refusal.text)
        self._index(order)
        self._finish(order, Status.INACTIVE)

    def _reject(self, order: SimOrder, reason: str) -> None:
        """Reject an order TWS had accepted: 201, Inactive, and its held children cancelled."""
        self._error(order.clientId, order.orderId, 201, f"Order rejected - reason:{reason}")
        self._finish(order, Status.INACTIVE)
        for child in self._children(order):
            if not child.is_done:
                self._cancel(child, reason="Parent order rejected")

    def _accept(self, order: SimOrder) -> None:
        self._index(order)
        if order.request.account not in self.accounts:
            self._refuse_new(order, reject(f"Unknown account {order.request.account}"))
            return
        self.working[order.contract.conId][order.permId] = order
        if order.request.transmit:
            self._transmit(order)
        # else: held in "TWS", unseen by any client, until its group is transmitted

    def _transmit(self, order: SimOrder) -> None:
        """Send an order on; the last child of a bracket transmits its parent and siblings.
        A bracket is shown whole (PreSubmitted, parent first) before any of it works."""
        group = self._bracket_of(order)
        for member in group:
            member.request.transmit = True
            if not member.is_done:
                self._start_trail(member)
        for member in group:
            if not member.is_done:
                self._hold(member)
                if self._outside_hours(member):
                    self._warn_closed(member)
                if len(group) > 1:
                    member.status = Status.PRE_SUBMITTED
                    self._publish(member)
        for member in group:
            if not member.is_done and not self._price_check(member):
                self._work(member, arriving=True)

    def _price_check(self, order: SimOrder) -> bool:
        """IB accepts a limit far through the market, then cancels it; True if it did."""
        if order.contract.secType == "BAG":
            return False  # a net price may be a credit: no band around it
        reason = price_band_reason(order.request, self._quote(order).last)
        if reason is None:
            return False
        self._announce(order)
        order.status = Status.PENDING_CANCEL
        self._publish(order, open_order=False)
        self._cancel(order, reason=reason)
        return True

    def _start_trail(self, order: SimOrder) -> None:
        """TWS reports a trailing stop's first stop price with the order it accepts."""
        if order.request.orderType == "TRAIL" and order.trailStop is None:
            try:
                self._trail(order, self._quote(order))
            except Exception as exc:
                self._fail(order, exc)

    def _bracket_of(self, order: SimOrder) -> list[SimOrder]:
        root = order.parent if order.parent is not None else order
        pending = [c for c in self._children(root) if not c.request.transmit or c is order]
        return [root, *(c for c in pending if c is not root)]

    def add_manual_order(self, contract: SimContract, req: OrderRequest) -> SimOrder | None:
        """An order 'typed into TWS by hand': client 0, order id 0 until client 0 binds it."""
        inst = self._resolve(0, -1, contract)
        if inst is None:
            return None
        req = self._with_defaults(0, req)
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
        refusal = self._modify_refusal(order, contract, req)
        if refusal:
            self._error(order.clientId, order.orderId, refusal.code, refusal.text)
            return
        req = self._with_defaults(order.clientId, req)
        if order.parent is not None:  # IB keeps the bracket's OCA group, whatever was sent
            req.ocaGroup, req.ocaType = order.request.ocaGroup, order.request.ocaType
            req.parentId = order.request.parentId
        was_transmitted = order.request.transmit
        order.request = req
        if req.trailStopPrice is not None:
            order.trailStop = req.trailStopPrice
        if not was_transmitted:
            if req.transmit:
                self._transmit(order)
            return
        self._hold(order)
        self._publish(order)
        self._work(order, arriving=True)

    def _modify_refusal(
        self, order: SimOrder, contract: SimContract, req: OrderRequest
    ) -> Refusal | None:
        if order.status == Status.FILLED:
            return Refusal(104, "Can't modify a filled order.")
        if order.is_done:
            return Refusal(103, "Duplicate order id")
        if req.parentId and (order.parent is None or order.parent.is_done):
            # the parent is no longer an open order: TWS cannot find it (ib_insync #647)
            return Refusal(135, f"Can't find order with id = {req.parentId}")
        if req.action != order.request.action or (
            contract.conId and contract.conId != order.contract.conId
        ):
            return Refusal(105, "Order being modified does not match original order.")
        refusal = check_order(self.instrument(order), self._with_defaults(order.clientId, req),
                              self.now())
        if refusal is None and req.totalQuantity < order.filled:
            refusal = reject("The new quantity is below the quantity already filled.")
        return refusal

    def cancel(self, client_id: int, order_id: int) -> None:
        order = self.orders.get((client_id, order_id)) or self._cancellable_by(client_id, order_id)
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
        if order.clientId != client_id:
            order.cancelledBy = client_id
        self._cancel(order, reason="", by_trader=True)

    def _cancellable_by(self, client_id: int, order_id: int) -> SimOrder | None:
        """Client 0 (and the master client) may cancel another client's order by its id."""
        if client_id != 0 and client_id != self.master_client_id:
            return None
        theirs = [o for (c, i), o in self.orders.items() if i == order_id and c != client_id]
        return theirs[0] if len(theirs) == 1 else None

    def cancel_all(self) -> None:
        for order in [o for o in self.by_perm.values() if self._visible(o)]:
            self._cancel(order, reason="", by_trader=True)

    def _cancel(self, order: SimOrder, reason: str, by_trader: bool = False) -> None:
        """Cancelled (no openOrder with it), then 202 with the reason; then its children."""
        self._finish(order, Status.CANCELLED)
        order.completedStatus = "Cancelled by Trader" if by_trader else "Cancelled by System:\n"
        told = [order.clientId] + ([order.cancelledBy] if order.cancelledBy is not None else [])
        for client_id in told:
            self._error(client_id, order.orderId, 202, f"Order Canceled - reason:{reason}")
        for child in self._children(order):
            if not child.is_done:
                self._cancel(child, reason="Parent order cancelled")

    def _children(self, parent: SimOrder) -> Iterable[SimOrder]:
        return [o for o in self.working[parent.contract.conId].values() if o.parent is parent]

    # ---- state changes ---------------------------------------------------------------------
    def _index(self, order: SimOrder) -> None:
        self.orders[(order.clientId, order.orderId)] = order
        self.by_perm[order.permId] = order

    def _visible(self, order: SimOrder) -> bool:
        """Working and transmitted: what TWS lists and downloads."""
        return not order.is_done and order.request.transmit

    def _finish(self, order: SimOrder, status: Status) -> None:
        order.status = status
        order.whyHeld = ""
        if status == Status.FILLED:
            order.completedStatus = f"Filled Size: {order.filled:g}"
        else:
            order.completedStatus = status.value
        order.completedTime = self.time_text()
        self.working[order.contract.conId].pop(order.permId, None)
        self._publish(order, open_order=status != Status.CANCELLED)

    def _publish(self, order: SimOrder, open_order: bool = True) -> None:
        order.told = (order.status.value, order.whyHeld)
        self.notify(OrderEvent(order, open_order))

    def _announce(self, order: SimOrder) -> None:
        """An order the clients have not seen yet is shown PreSubmitted before anything
        happens to it (its first execution, IB's cancel, FOK's Inactive), as TWS does."""
        if order.told is None:
            status, order.status = order.status, Status.PRE_SUBMITTED
            self._publish(order)
            order.status = status

    def _tell(self, order: SimOrder) -> None:
        """Publish the order if its status or hold changed since the clients last heard."""
        if not order.is_done and order.told != (order.status.value, order.whyHeld):
            self._publish(order)

    def _error(self, client_id: int, req_id: int, code: int, text: str) -> None:
        self.notify(ErrorEvent(client_id, req_id, code, text))

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
        order = SimOrder(order_id, client_id, next(self._perm_ids), replace(inst.contract), req)
        self.notify(WhatIfEvent(order, self.margin_for(inst, req)))

    def margin_for(self, inst: Instrument, req: OrderRequest) -> OrderMargin:
        """What the order would do to the account's margin, priced at the order's price (a
        combo's legs at their touch)."""
        account = self.accounts.get(req.account) or next(iter(self.accounts.values()))
        marks = self.marks()
        before = account.values(marks)
        signed = req.totalQuantity if req.action == "BUY" else -req.totalQuantity
        if inst.contract.secType == "BAG":
            positions, prices, commissions = self._combo_what_if(inst, req, signed)
        else:
            quote = self.market.quote(inst.contract.conId)
            price = req.lmtPrice or (quote.ask if req.action == "BUY" else quote.bid)
            positions, prices = {inst.contract.conId: (inst, signed)}, {inst.contract.conId: price}
            commissions = commission_range(inst, req.totalQuantity, price)
        rate = marks.rate(inst.contract.currency or "USD")
        notional = sum(abs(q * prices[c]) * unit_value(i) for c, (i, q) in positions.items())
        priced = PricedMarks(marks, prices)
        init_now, maint_now = account.margins(priced)
        init_then, maint_then = account.margins(priced, positions)
        return self._margin_answer(before, init_then - init_now, maint_then - maint_now,
                                   commissions, notional * rate, inst.contract.currency or "USD")

    def _combo_what_if(self, inst: Instrument, req: OrderRequest, signed: float
                       ) -> tuple[dict[int, tuple[Instrument, float]], dict[int, float],
                                  tuple[float, float]]:
        """A combo's legs as positions, at the prices they would trade at, and its fee."""
        positions: dict[int, tuple[Instrument, float]] = {}
        prices: dict[int, float] = {}
        legs = []
        for leg in inst.contract.comboLegs:
            leg_inst = self.universe.by_con_id[leg.conId]
            buy = (leg.action == "BUY") == (signed > 0)
            quote = self.market.quote(leg.conId)
            prices[leg.conId] = quote.ask if buy else quote.bid
            quantity = abs(signed) * leg.ratio
            positions[leg.conId] = (leg_inst, quantity if buy else -quantity)
            legs.append((leg_inst, quantity, prices[leg.conId]))
        fee = combo_commission(legs)
        return positions, prices, (fee, fee)

    @staticmethod
    def _margin_answer(before: dict[str, float], init_change: float, maint_change: float,
                       commissions: tuple[float, float], notional: float,
                       currency: str) -> OrderMargin:
        low, high = commissions
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
            # TWS sends the commission when it is known, else its range (recorded forms)
            commission=low if low == high else None,
            minCommission=None if low == high else low,
            maxCommission=None if low == high else high,
            commissionCurrency=currency,
            warningText=warning,
        )

    def marks(self) -> MarketMarks:
        return MarketMarks(self.market)
