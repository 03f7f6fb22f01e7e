"""Holds: why a working order waits (an untriggered stop, an unfilled parent, the session, an
auction), the status and whyHeld TWS shows for it, and the 399 it warns with.

A mixin of Exchange, as Matching is.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .model import SimOrder, Status
from .rules import EXCHANGE_TZ

if TYPE_CHECKING:
    from .exchange import Exchange

OPEN = dt.time(9, 30)  # the regular open, New York time


def held_by_ib(order: SimOrder) -> bool:
    """A SMART combo is worked by IB itself, never rested at an exchange: PreSubmitted until it
    fills (recorded: ibkr-go's api_combo_option_vertical_aapl, PreSubmitted then Cancelled)."""
    return order.contract.secType == "BAG"


class Holds:
    def _warn_closed(self: Exchange, order: SimOrder) -> None:
        """TWS's 399: the order waits for the next open."""
        c, req = order.contract, order.request
        listing = c.primaryExchange or c.exchange
        if c.tradingClass and c.tradingClass != c.symbol:
            listing = f"{listing}.{c.tradingClass}"
        text = (f"Order Message:\n{req.action} {req.totalQuantity:g} {c.localSymbol} {listing}\n"
                f"Warning: Your order will not be placed at the exchange until "
                f"{self.next_open():%Y-%m-%d %H:%M:%S} US/Eastern.")
        self._error(order.clientId, order.orderId, 399, text)

    def next_open(self: Exchange) -> dt.datetime:
        """The next regular open, 09:30 New York time on a weekday."""
        now = self.now()
        day = now.date() if now.time() < OPEN else now.date() + dt.timedelta(days=1)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, OPEN, EXCHANGE_TZ)

    def _hold(self: Exchange, order: SimOrder) -> None:
        """Its status and whyHeld now: PreSubmitted while held (untriggered stop, parent
        unfilled, auction, hours), else Submitted."""
        order.status = self._resting_status(order)
        order.whyHeld = self._why_held(order)

    def _resting_status(self: Exchange, order: SimOrder) -> Status:
        req = order.request
        if not req.transmit or self._parent_unfilled(order):
            return Status.PRE_SUBMITTED
        if req.orderType in ("MOC", "LOC") or req.tif == "OPG":
            return Status.PRE_SUBMITTED
        if self._untriggered(order):
            return Status.PRE_SUBMITTED
        if self._outside_hours(order) or held_by_ib(order):
            return Status.PRE_SUBMITTED
        return Status.SUBMITTED

    def _why_held(self: Exchange, order: SimOrder) -> str:
        """TWS's whyHeld: 'child' under an unfilled parent, 'trigger' for an untriggered stop."""
        reasons = []
        if self._parent_unfilled(order):
            reasons.append("child")
        if self._untriggered(order):
            reasons.append("trigger")
        return ",".join(reasons)

    def _untriggered(self: Exchange, order: SimOrder) -> bool:
        return order.request.orderType in ("STP", "STP LMT", "TRAIL") and not order.triggered

    def _parent_unfilled(self: Exchange, order: SimOrder) -> bool:
        return order.parent is not None and order.parent.status != Status.FILLED

    def _outside_hours(self: Exchange, order: SimOrder) -> bool:
        if self.session == "closed":
            return True
        return (
            self.session == "extended"
            and not order.request.outsideRth
            and order.contract.secType == "STK"
        )

