"""The adapter's event handling, driven through ib_async's own Wrapper (no socket, no mocks).

Calling `ib.wrapper.openOrder(...)` etc. runs exactly what ib_async runs when those messages
arrive from TWS, so these tests see ib_async 2.1.0's real event semantics.
"""

from __future__ import annotations

import ib_async
import pytest
from ib_async import CommissionReport, Execution, Order, OrderState, Stock
from ib_async.util import UNSET_DOUBLE

from ib_blotter.ib.adapter import IBAdapter
from ib_blotter.ib.errors import (
    NotConnectedError,
    NotOurOrderError,
    OrderEndedError,
    ReadOnlyError,
)
from ib_blotter.state.blotter import BlotterState
from ib_blotter.state.records import LogKind, OrderKey
from ib_blotter.state.ticket import OrderSpec

AAPL = Stock("AAPL", "SMART", "USD", conId=265598, localSymbol="AAPL")
KEY = OrderKey(client_id=1, order_id=12)


@pytest.fixture
def state() -> BlotterState:
    return BlotterState(clock=lambda: 100.0)


@pytest.fixture
def ib() -> ib_async.IB:
    ib = ib_async.IB()
    ib.wrapper.clientId = 1  # what connectAsync sets first
    return ib


@pytest.fixture
def adapter(state: BlotterState, ib: ib_async.IB) -> IBAdapter:
    return IBAdapter(state, ib, client_id=1)


def open_order(ib: ib_async.IB, order_id: int = 12, client_id: int = 1, perm_id: int = 555) -> None:
    order = Order(
        orderId=order_id,
        clientId=client_id,
        permId=perm_id,
        action="BUY",
        totalQuantity=100,
        orderType="LMT",
        lmtPrice=187.5,
        tif="DAY",
    )
    ib.wrapper.openOrder(order_id, AAPL, order, OrderState(status="PreSubmitted"))


def order_status(ib: ib_async.IB, status: str, order_id: int = 12, filled: float = 0) -> None:
    ib.wrapper.orderStatus(
        order_id, status, filled, 100 - filled, 187.5 if filled else 0, 555, 0, 0, 1, "", 0
    )


def test_orders_reach_the_state(adapter, ib, state):
    open_order(ib)
    order_status(ib, "Submitted")

    row = state.order(KEY)
    assert (row.status, row.limit, row.ours, row.symbol) == ("Submitted", 187.5, True, "AAPL")


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (10349, "Order TIF was set to DAY based on order preset."),  # ib_async says Cancelled
        (2109, "Order Event Warning: Attribute 'Outside RTH' is ignored"),  # ValidationError
        (399, "Order Message: Warning: your order will not be placed at the exchange until"),
    ],
)
def test_statuses_ib_async_invents_on_an_error_never_reach_the_state(
    adapter, ib, state, code, text
):
    open_order(ib)
    order_status(ib, "Submitted")
    ib.wrapper.error(12, code, text, "")

    trade = ib.trades()[0]
    assert trade.orderStatus.status == "Submitted"  # restored for ib_async's change detection
    row = state.order(KEY)
    assert row.status == "Submitted"
    assert row.last_message.startswith(str(code))

    order_status(ib, "Cancelled")  # IB's real cancel still gets through
    assert state.order(KEY).status == "Cancelled"


def test_a_real_rejection_is_trusted(adapter, ib, state):
    open_order(ib)
    ib.wrapper.error(12, 201, "Order rejected - reason:Not enough buying power", "")
    assert state.order(KEY).status == "PreSubmitted"

    order_status(ib, "Inactive")
    row = state.order(KEY)
    assert (row.status, row.last_message) == (
        "Inactive",
        "201 Order rejected: Not enough buying power",
    )


def test_fills_and_commissions_reach_the_state(adapter, ib, state):
    open_order(ib)
    execution = Execution(
        execId="0001.01",
        acctNumber="DU1",
        exchange="ISLAND",
        side="BOT",
        shares=100,
        price=187.5,
        permId=555,
        clientId=1,
        orderId=12,
        cumQty=100,
        avgPrice=187.5,
        lastLiquidity=1,
    )
    ib.wrapper.execDetails(-1, AAPL, execution)
    ib.wrapper.commissionReport(CommissionReport("0001.01", 1.0, "USD", UNSET_DOUBLE))

    [fill] = state.fills()
    assert (fill.shares, fill.price, fill.liquidity, fill.commission) == (100, 187.5, "added", 1.0)
    # ib_async 2.1.0 turns IB's unset realized PnL into 0.0; the adapter reads that as none.
    assert fill.realized_pnl is None
    kinds = [line.kind for line in state.log_lines()]
    assert kinds.count(LogKind.FILL) == 1
    assert kinds.count(LogKind.COMMISSION) == 1


def test_messages_not_about_an_order_become_log_lines(adapter, ib, state):
    ib.wrapper.error(-1, 2104, "Market data farm connection is OK:usfarm", "")

    line = state.log_lines()[-1]
    assert (line.kind, line.text) == (LogKind.INFO, "2104 Market data farm OK: usfarm")


def test_a_failing_handler_is_logged_not_raised(adapter, ib, state):
    ib.openOrderEvent.emit(None)  # not a Trade: the handler fails inside

    line = state.log_lines()[-1]
    assert line.kind is LogKind.ERROR
    assert line.text.startswith("Internal error in _on_open_order")


def test_readonly_refuses_every_order_request_before_sending(state, ib):
    adapter = IBAdapter(state, ib, client_id=1, readonly=True)
    spec = OrderSpec(side="BUY", quantity=1, order_type="MKT")

    for request in (
        lambda: adapter.place(AAPL, spec),
        lambda: adapter.modify(KEY, limit=1.0),
        lambda: adapter.cancel(KEY),
        adapter.cancel_all,
    ):
        with pytest.raises(ReadOnlyError, match="Read-only"):
            request()
    assert ib.trades() == []


async def test_readonly_still_reads(state, ib):
    adapter = IBAdapter(state, ib, client_id=1, readonly=True)

    with pytest.raises(NotConnectedError):  # refused for the socket, not for readonly
        await adapter.resolve("AAPL")
    with pytest.raises(NotConnectedError):
        adapter.subscribe_quote(AAPL)


def test_nothing_is_sent_while_disconnected(adapter):
    with pytest.raises(NotConnectedError):
        adapter.place(AAPL, OrderSpec(side="BUY", quantity=1, order_type="MKT"))
    with pytest.raises(NotConnectedError):
        adapter.cancel_all()


def test_only_our_own_live_orders_may_be_changed(adapter, ib, state):
    open_order(ib, order_id=40, client_id=7, perm_id=900)
    with pytest.raises(NotOurOrderError, match="placed by client 7"):
        adapter.cancel(OrderKey(client_id=7, order_id=40))

    with pytest.raises(NotOurOrderError, match="not known"):
        adapter.modify(OrderKey(client_id=1, order_id=99), limit=1.0)

    open_order(ib)
    order_status(ib, "Filled", filled=100)
    with pytest.raises(OrderEndedError, match="Filled"):
        adapter.modify(KEY, limit=187.6)

    open_order(ib, order_id=13, perm_id=556)
    with pytest.raises(NotConnectedError):  # ours and live: only the socket is missing
        adapter.cancel(OrderKey(client_id=1, order_id=13))
