"""What the blotter knows of ib_async's insides, in one file: an ib_async upgrade is reviewed
here. Each function says which internal of ib_async 2.1.0 it relies on and why."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import ib_async

# Order fields IB reports in every openOrder that ib_async 2.1.0 does not copy onto an order it
# already knows (it copies only quantity, prices, type and ref): without them a modified TIF,
# trailing percent or trailing stop would never reach the row.
ORDER_TERMS = ("tif", "goodTillDate", "trailingPercent", "trailStopPrice", "parentId",
               "ocaGroup", "ocaType", "outsideRth", "account", "algoStrategy", "algoParams")


def follow_order_terms(ib: ib_async.IB) -> None:
    """Every openOrder IB sends updates the whole of a known order's terms (Wrapper.openOrder,
    wrapped on this IB's wrapper; the decoder looks the method up on every message)."""
    wrapper = ib.wrapper
    take = wrapper.openOrder

    def open_order(order_id: int, contract: ib_async.Contract, order: ib_async.Order,
                   state: ib_async.OrderState) -> None:
        if not order.whatIf:
            known = wrapper.trades.get(wrapper.orderKey(order.clientId, order.orderId,
                                                        order.permId))
            if known is not None:
                for name in ORDER_TERMS:
                    setattr(known.order, name, getattr(order, name))
        take(order_id, contract, order, state)

    wrapper.openOrder = open_order  # type: ignore[method-assign,assignment]


@contextlib.contextmanager
def no_auto_bind(ib: ib_async.IB, skip: bool) -> Iterator[None]:
    """ib_async's connectAsync sends reqAutoOpenOrders for client 0 whatever `readonly` says;
    a read-only blotter must bind nothing (binding changes the orders' ids at the exchange)."""
    if not skip:
        yield
        return
    ib.reqAutoOpenOrders = lambda autoBind=True: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        del ib.reqAutoOpenOrders
