"""Matching: when and at what price working orders fill, and what a fill sets off.

A mixin of Exchange. Marketable orders sweep price levels from the touch; resting limits fill
when the market trades at or through them; stops and trails trigger on the last trade; TWAP
and VWAP work in slices; auctions cross MOC/LOC/OPG; fills cascade to brackets and OCA groups.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .commissions import commission_for
from .events import CommissionEvent, FillEvent
from .holds import held_by_ib
from .instruments import venue
from .market import Quote
from .model import UNSET_DOUBLE, Fill, SimOrder, Status
from .rules import parse_algo_time, parse_ib_time
from .ticks import increment_at, to_rule

if TYPE_CHECKING:
    from .exchange import Exchange

log = logging.getLogger("ib_blotter.sim")

MAX_SWEEP_LEVELS = 50
DEFAULT_ALGO_SECONDS = 60.0
SLICED_ALGOS = frozenset({"Twap", "Vwap"})


class Matching:
    # ---- matching --------------------------------------------------------------------------
    def step(self: Exchange, con_id: int) -> Quote:
        """One market move for an instrument, then every working order on it gets its chance."""
        quote = self.market.step(con_id)
        self.rematch_with_options(con_id)
        return quote

    def rematch_with_options(self: Exchange, con_id: int) -> None:
        """An underlying moved: its orders, then those on its options, get their chance."""
        self.rematch(con_id)
        for option in self.market.options_of.get(con_id, ()):
            if self.working[option]:
                self.rematch(option)
        self.rematch_combos()

    def rematch(self: Exchange, con_id: int) -> None:
        for order in list(self.working[con_id].values()):
            if not order.is_done:
                try:
                    self._expire_or_work(order)
                except Exception as exc:  # one order's bug must not stop the market
                    self._fail(order, exc)

    def _expire_or_work(self: Exchange, order: SimOrder) -> None:
        if order.request.tif == "GTD":
            expiry = parse_ib_time(order.request.goodTillDate)
            if expiry is not None and expiry <= self.now():
                self._finish(order, Status.CANCELLED)
                return
        self._work(order, arriving=False)

    def _work(self: Exchange, order: SimOrder, arriving: bool) -> None:
        """Give one order its chance to trade; a bug while doing so rejects that order alone."""
        try:
            self._work_now(order, arriving)
        except Exception as exc:
            self._fail(order, exc)

    def _fail(self: Exchange, order: SimOrder, exc: Exception) -> None:
        """An order we failed to work ends as TWS ends one it rejects: 201, then Inactive."""
        log.error(
            "order permId %s (client %s, id %s) failed while being worked; rejecting it",
            order.permId, order.clientId, order.orderId, exc_info=exc,
        )
        if order.is_done:
            return
        try:
            self._reject(order, f"The order could not be worked ({type(exc).__name__}).")
        except Exception:  # it cannot even be told: at least take it off the market
            log.exception("order permId %s could not be rejected", order.permId)
            order.status = Status.INACTIVE
            self.working[order.contract.conId].pop(order.permId, None)

    def _work_now(self: Exchange, order: SimOrder, arriving: bool) -> None:
        req = order.request
        if not req.transmit or order.is_done:
            return  # an untransmitted order is TWS's alone: nothing is said about it
        if self._parent_unfilled(order) or self._outside_hours(order) or _auction_only(order):
            self._tell(order)
            return
        quote = self._quote(order)
        was_triggered = order.triggered
        if not self._triggered(order, quote):
            self._tell(order)
            return
        # held until now: it reaches the market (a combo IB works stays PreSubmitted)
        released = order.status == Status.PRE_SUBMITTED and not held_by_ib(order)
        if released:
            order.status, order.whyHeld = Status.SUBMITTED, ""
        if order.triggered != was_triggered:
            self._tell(order)  # TWS shows a triggered stop working before it trades
        arriving = arriving or released or order.triggered != was_triggered
        quantity = self._slice(order)
        if quantity > 0:
            # an algo's slice is a fresh child order: it takes the touch, not its own limit
            self._match(order, quote, quantity, arriving or _is_sliced(order))
        self._after_immediate(order, arriving)
        self._tell(order)  # a new order that did not trade is shown working now

    def _after_immediate(self: Exchange, order: SimOrder, arriving: bool) -> None:
        """IOC never rests: what did not fill on arrival is cancelled. FOK on a paper account
        is not worked at all: it goes Inactive (recorded)."""
        if not arriving or order.is_done:
            return
        if order.request.tif == "IOC":
            order.status = Status.PENDING_CANCEL
            self._publish(order, open_order=False)
            self._finish(order, Status.CANCELLED)

    def _triggered(self: Exchange, order: SimOrder, quote: Quote) -> bool:
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

    def _trail(self: Exchange, order: SimOrder, quote: Quote) -> None:
        req = order.request
        rule = self.instrument(order).increments
        if req.trailingPercent is not None:
            offset = quote.last * req.trailingPercent / 100
        else:
            offset = req.auxPrice or 0.0
        buy = req.action == "BUY"
        candidate = to_rule(quote.last + offset if buy else quote.last - offset, rule)
        stop = order.trailStop
        if stop is None or (candidate < stop if buy else candidate > stop):
            order.trailStop = candidate
            if stop is not None:
                self._publish(order)  # TWS re-sends the order when its trail stop moves

    def _slice(self: Exchange, order: SimOrder) -> float:
        """How much may trade now: everything, or an algo's schedule so far."""
        req = order.request
        if not _is_sliced(order):
            return order.remaining
        start, end = self._algo_window(order)
        now = self.clock()
        if now < start:
            return 0.0
        done = 1.0 if end <= start else min(1.0, (now - start) / (end - start))
        increment = max(self.instrument(order).sizeIncrement, 1.0)  # API orders: whole units
        target = req.totalQuantity * done
        due = (target - order.filled) // increment * increment
        return min(max(due, 0.0), order.remaining)

    def _algo_window(self: Exchange, order: SimOrder) -> tuple[float, float]:
        params = {p.tag: p.value for p in order.request.algoParams}
        today = self.now().date()
        start_at = parse_algo_time(params.get("startTime", ""), today)
        end_at = parse_algo_time(params.get("endTime", ""), today)
        start = start_at.timestamp() if start_at else order.placedAt
        end = end_at.timestamp() if end_at else start + DEFAULT_ALGO_SECONDS
        return start, end

    def _limit(self: Exchange, order: SimOrder, quote: Quote) -> float | None:
        """The worst price this order accepts now; None for market."""
        req = order.request
        kind = req.orderType
        if kind in ("LMT", "STP LMT", "LOC"):
            return req.lmtPrice
        if kind == "MIDPRICE":
            return req.lmtPrice  # a cap, when given
        return None

    def _match(
        self: Exchange, order: SimOrder, quote: Quote, quantity: float, arriving: bool
    ) -> None:
        if order.contract.secType == "BAG":
            self._match_combo(order, quote, quantity, arriving)
            return
        inst = self.instrument(order)
        limit = self._limit(order, quote)
        if order.request.orderType == "MIDPRICE":
            self._match_mid(order, quote, quantity, limit)
            return
        if order.request.tif == "FOK":
            self._announce(order)
            self._finish(order, Status.INACTIVE)
            return
        buy = order.request.action == "BUY"
        if not arriving and limit is not None:
            self._match_resting(order, quote, quantity, limit)
            return
        touch = quote.ask if buy else quote.bid
        size = quote.askSize if buy else quote.bidSize
        price = touch
        for level in range(MAX_SWEEP_LEVELS):
            if quantity <= 0 or order.is_done:
                return
            if level:  # one increment further through the book
                step = increment_at(inst.increments, price) * (1 if buy else -1)
                price = to_rule(price + step, inst.increments)
            if limit is not None and (price > limit if buy else price < limit):
                return
            available = size * (1 + level * 0.5)
            take = min(quantity, available)
            self._execute(order, take, price, liquidity=2)
            quantity -= take

    def _match_resting(
        self: Exchange, order: SimOrder, quote: Quote, quantity: float, limit: float
    ) -> None:
        """A resting limit fills at its price when the market trades through or at it."""
        buy = order.request.action == "BUY"
        crossed = quote.ask <= limit if buy else quote.bid >= limit
        touched = quote.last <= limit if buy else quote.last >= limit
        if not (crossed or touched):
            return
        size = (quote.askSize if buy else quote.bidSize) if crossed else quote.lastSize
        take = min(quantity, size)
        if take <= 0:
            return  # what the market showed has been taken already
        self._execute(order, take, limit, liquidity=1)
        self.market.take(order.contract.conId, buy, take, crossed)

    def _match_mid(
        self: Exchange, order: SimOrder, quote: Quote, quantity: float, cap: float | None
    ) -> None:
        buy = order.request.action == "BUY"
        mid = round(quote.mid, 6)
        if cap is not None and (mid > cap if buy else mid < cap):
            return
        size = min(quote.askSize, quote.bidSize)
        self._execute(order, min(quantity, size), mid, liquidity=1)

    # ---- auctions --------------------------------------------------------------------------
    def auction(self: Exchange, which: str) -> None:
        """Run the opening or closing auction: OPG orders (open), MOC/LOC (close), DAY expiry."""
        for orders in self.working.values():
            for order in list(orders.values()):
                if not order.is_done and _in_auction(order, which):
                    self._cross_auction(order, self._quote(order).last)
        if which == "close":
            for orders in self.working.values():
                for order in list(orders.values()):
                    if not order.is_done and order.request.tif in ("DAY", ""):
                        self._finish(order, Status.CANCELLED)

    def _cross_auction(self: Exchange, order: SimOrder, price: float) -> None:
        limit = order.request.lmtPrice if order.request.orderType in ("LMT", "LOC") else None
        buy = order.request.action == "BUY"
        if limit is not None and (price > limit if buy else price < limit):
            self._finish(order, Status.CANCELLED)
            return
        self._execute(order, order.remaining, price, liquidity=3)

    # ---- executions ------------------------------------------------------------------------
    def _execute(
        self: Exchange, order: SimOrder, quantity: float, price: float, liquidity: int
    ) -> None:
        if quantity <= 0:
            return
        inst = self.instrument(order)
        self._announce(order)
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
        self._report(order, [fill])
        self._oca_reduce(order, quantity)

    def _report(self: Exchange, order: SimOrder, fills: list[Fill]) -> None:
        """Executions, then the order's status, then their commission reports, as TWS sends
        them; then what a filled order sets off."""
        for fill in fills:
            self.fills.append(fill)
            self.notify(FillEvent(order, fill))
        done = order.remaining <= 1e-9
        if done:
            self._finish(order, Status.FILLED)
        else:
            self._publish(order, open_order=False)
        for fill in fills:
            self.notify(CommissionEvent(order, fill))
        if done:
            self._on_filled(order)

    def _fill_record(
        self: Exchange,
        order: SimOrder,
        quantity: float,
        price: float,
        liquidity: int,
        commission: float,
        realized: float | None,
    ) -> Fill:
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
            exchange=venue(order.contract),
            time=self.execution_time_text(),
            timestamp=self.clock(),
            cumQty=order.filled,
            avgPrice=order.avgFillPrice,
            orderRef=order.request.orderRef,
            lastLiquidity=liquidity,
            commission=commission,
            commissionCurrency=order.contract.currency or "USD",
            realizedPNL=realized if realized is not None else UNSET_DOUBLE,
        )

    def correct(self: Exchange, fill: Fill, corrected: Fill) -> None:
        """IB corrected an execution: from now on it reports the corrected one."""
        for index in range(len(self.fills) - 1, -1, -1):
            if self.fills[index] is fill:
                self.fills[index] = corrected
                return

    def _on_filled(self: Exchange, order: SimOrder) -> None:
        for child in self._children(order):
            self._work_child(child)
        self._oca_cancel(order)

    def _work_child(self: Exchange, child: SimOrder) -> None:
        self._hold(child)
        self._work(child, arriving=True)

    def _oca_siblings(self: Exchange, order: SimOrder) -> list[SimOrder]:
        group = order.request.ocaGroup
        siblings = []
        for orders in self.working.values():
            for other in orders.values():
                same_group = group and other.request.ocaGroup == group
                # IB makes the children of one bracket an implicit OCA group
                same_bracket = order.parent is not None and other.parent is order.parent
                if other is not order and not other.is_done and (same_group or same_bracket):
                    siblings.append(other)
        return siblings

    def _oca_cancel(self: Exchange, order: SimOrder) -> None:
        if order.request.ocaType in (2, 3) and order.parent is None:
            return
        for sibling in self._oca_siblings(order):
            self._cancel(sibling, reason="OCA group filled")

    def _oca_reduce(self: Exchange, order: SimOrder, quantity: float) -> None:
        if order.request.ocaType not in (2, 3) or order.parent is not None:
            return
        for sibling in self._oca_siblings(order):
            sibling.request.totalQuantity = max(
                sibling.request.totalQuantity - quantity, sibling.filled
            )
            if sibling.remaining <= 0:
                self._finish(sibling, Status.CANCELLED)
            else:
                self._publish(sibling)


def _auction_only(order: SimOrder) -> bool:
    return order.request.orderType in ("MOC", "LOC") or order.request.tif == "OPG"


def _is_sliced(order: SimOrder) -> bool:
    return order.request.algoStrategy in SLICED_ALGOS


def _in_auction(order: SimOrder, which: str) -> bool:
    if which == "open":
        return order.request.tif == "OPG"
    return order.request.orderType in ("MOC", "LOC")
