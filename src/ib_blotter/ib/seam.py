"""What the blotter knows of ib_async's insides, in one file: an ib_async upgrade is reviewed
here. Each function says which internal of ib_async 2.1.0 it relies on and why."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from typing import Any

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


Execution = Callable[[ib_async.Contract, ib_async.Execution, datetime, bool], None]
Commission = Callable[[ib_async.CommissionReport], None]


def on_executions(ib: ib_async.IB, execution: Execution, commission: Commission) -> None:
    """Every execDetails and commissionReport as it comes off the wire, after ib_async has
    read it (Wrapper.execDetails / .commissionReport, wrapped on this IB's wrapper): its events
    skip a report whose order it does not know, and tie a report to the first copy of a fill.
    `execution(contract, execution, time, replayed)`: replayed when it answers reqExecutions
    (a request ib_async awaits in Wrapper._futures); time is IB's, else when it arrived. Then
    ib_async is let go of the fill: it would keep every one of the session (~2 KB each)."""
    wrapper = ib.wrapper
    take_execution, take_commission = wrapper.execDetails, wrapper.commissionReport

    def exec_details(req_id: int, contract: ib_async.Contract,
                     details: ib_async.Execution) -> None:
        replayed = req_id in wrapper._futures
        take_execution(req_id, contract, details)
        given = details.time
        moment = given if isinstance(given, datetime) and given.tzinfo else wrapper.lastTime
        execution(contract, details, moment, replayed)
        _forget_fill(wrapper, details)

    def commission_report(report: ib_async.CommissionReport) -> None:
        take_commission(report)
        commission(report)

    wrapper.execDetails = exec_details  # type: ignore[method-assign,assignment]
    wrapper.commissionReport = commission_report  # type: ignore[method-assign,assignment]


def _forget_fill(wrapper: ib_async.Wrapper, details: ib_async.Execution) -> None:
    wrapper.fills.pop(details.execId, None)
    trade = wrapper.permId2Trade.get(details.permId)
    if trade is not None:
        trade.fills.clear()
        del trade.log[1:-1]  # one entry per fill too; the first and last are what we read


def end_pending_requests(ib: ib_async.IB) -> None:
    """Every request ib_async awaits an answer to ends with ConnectionError: IB.disconnect
    forgets them (Wrapper.reset clears Wrapper._futures) without ending them, and whoever
    awaits one (a catch-up in flight) would wait for ever, or for its own timeout."""
    error = ConnectionError("Disconnected")
    for future in ib.wrapper._futures.values():
        if not future.done():
            future.set_exception(error)


class CountingAnswer:
    """The container ib_async fills with a reqExecutions answer (Wrapper.startReq): it counts,
    and keeps nothing (the recorder has each fill already)."""

    def __init__(self) -> None:
        self.count = 0

    def append(self, fill: ib_async.Fill) -> None:
        self.count += 1


def request_executions(ib: ib_async.IB, wanted: ib_async.ExecutionFilter,
                       answer: CountingAnswer) -> Awaitable[object]:
    """ib_async's reqExecutionsAsync with `answer` as its container (Wrapper.startReq)."""
    req_id = ib.client.getReqId()
    answered = ib.wrapper.startReq(req_id, container=answer)
    ib.client.reqExecutions(req_id, wanted)
    return answered


def on_connection_time(ib: ib_async.IB, told: Callable[[str], None]) -> None:
    """The connection time TWS answers the handshake with (ib_async reads and drops it in
    Client._onSocketHasData): read from the first bytes of each connection, after ib_async."""
    first = [True]

    def data(chunk: bytes) -> None:
        if not first[0]:
            return
        first[0] = False
        fields = chunk[4:].split(b"\0")  # one frame: length, then version and time
        if len(fields) >= 2:
            told(fields[1].decode(errors="replace"))

    def ended(*_: object) -> None:
        first[0] = True  # the next connection's first bytes are its handshake again

    ib.client.conn.hasData += data
    ib.client.conn.disconnected += ended


def statuses_by_perm_id(ib: ib_async.IB) -> None:
    """An orderStatus whose client id is not the order's (TWS names the client that cancelled
    another's order: client 0, or the master) is given to the order its perm id names:
    ib_async 2.1.0 keys it by (clientId, orderId) and drops it ("No order found")."""
    wrapper = ib.wrapper
    take = wrapper.orderStatus

    def order_status(orderId: int, status: str, filled: float, remaining: float,
                     avgFillPrice: float, permId: int, parentId: int, lastFillPrice: float,
                     clientId: int, whyHeld: str, mktCapPrice: float = 0.0) -> None:
        if wrapper.orderKey(clientId, orderId, permId) not in wrapper.trades:
            known = wrapper.permId2Trade.get(permId)
            if known is not None:
                clientId, orderId = known.order.clientId, known.order.orderId
        take(orderId, status, filled, remaining, avgFillPrice, permId, parentId,
             lastFillPrice, clientId, whyHeld, mktCapPrice)

    wrapper.orderStatus = order_status  # type: ignore[method-assign]


# What ib_async 2.1.0's log lines say of the objects it formats on every order, status and fill
# it reads (Wrapper.openOrder, .orderStatus, .execDetails, .commissionReport: f"...{trade}"):
# whole reprs of a Trade (its order, contract, fills and log), built whether the log is on or
# not: a quarter of its reading of 10,000 open orders, a fifth of a whole day's sync
# (benchmarks/scale.py). A line each names the object instead.
SHORT_LOG_FORMS: dict[type, Callable[[Any], str]] = {
    ib_async.Trade: lambda trade: (
        f"Trade(orderId={trade.order.orderId}, clientId={trade.order.clientId}, "
        f"permId={trade.order.permId}, {trade.order.action} {trade.order.totalQuantity} "
        f"{trade.contract.localSymbol or trade.contract.symbol} {trade.order.orderType}, "
        f"status={trade.orderStatus.status})"),
    ib_async.Fill: lambda fill: (
        f"Fill(execId={fill.execution.execId}, permId={fill.execution.permId}, "
        f"{fill.execution.side} {fill.execution.shares} {fill.contract.symbol} "
        f"@ {fill.execution.price})"),
    ib_async.Execution: lambda execution: (
        f"Execution(execId={execution.execId}, permId={execution.permId}, "
        f"{execution.side} {execution.shares} @ {execution.price})"),
    ib_async.CommissionReport: lambda report: (
        f"CommissionReport(execId={report.execId}, commission={report.commission} "
        f"{report.currency})"),
}


def short_log_forms(on: bool = True) -> None:
    """ib_async's log lines name each Trade, Fill, Execution and CommissionReport in one short
    line (`format()`, which an f-string calls, made cheap on those classes); repr() and str()
    stay ib_async's, and so do the objects and events. In this process, for every IB; off
    again with on=False (the benchmarks' reference is ib_async as it comes)."""
    for kind, describe in SHORT_LOG_FORMS.items():
        if on:
            kind.__format__ = _formatter(describe)  # type: ignore[method-assign,assignment]
        elif "__format__" in vars(kind):
            del kind.__format__


def _formatter(describe: Callable[[Any], str]) -> Callable[[Any, str], str]:
    def format_short(self: Any, spec: str) -> str:
        return format(describe(self), spec)

    return format_short
