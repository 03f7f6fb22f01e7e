"""The adapter's event handling, driven through ib_async's own Wrapper (no socket, no mocks).

Calling `ib.wrapper.openOrder(...)` etc. runs exactly what ib_async runs when those messages
arrive from TWS, so these tests see ib_async 2.1.0's real event semantics.
"""

from __future__ import annotations

from dataclasses import replace

import ib_async
import pytest
from ib_async import CommissionReport, Execution, Order, OrderState, Stock
from ib_async.util import UNSET_DOUBLE

from ib_blotter.ib.adapter import IBAdapter
from ib_blotter.ib.errors import NotConnectedError, RefusedError
from ib_blotter.state.blotter import BlotterState
from ib_blotter.state.gate import Action, Approval, Decision, Request
from ib_blotter.state.order_changes import current_terms
from ib_blotter.state.records import ContractSpec, LogKind, OrderKey, OrderRow, OrderSpec
from ib_blotter.state.ticket import spec_from_order

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
    [line] = [line for line in state.log_lines() if line.kind is LogKind.FILL]
    assert "commission 1.00 USD" in line.text  # one line, completed by the report


def test_messages_not_about_an_order_become_log_lines(adapter, ib, state):
    ib.wrapper.error(-1, 2104, "Market data farm connection is OK:usfarm", "")

    line = state.log_lines()[-1]
    assert (line.kind, line.text) == (LogKind.INFO, "2104 Market data farm OK: usfarm")


def test_a_failing_handler_is_logged_not_raised(adapter, ib, state):
    ib.openOrderEvent.emit(None)  # not a Trade: the handler fails inside

    line = state.log_lines()[-1]
    assert line.kind is LogKind.ERROR
    assert line.text.startswith("Internal error in _on_open_order")


def forged(request: Request, key: str = "y") -> Approval:
    """An approval the gate would not give now (made before the connection dropped, say):
    the adapter must judge it again and refuse."""
    return Approval(Decision(request), key)


def requests() -> list[Request]:
    row = OrderRow(order_id=12, perm_id=555, client_id=1, symbol="AAPL", side="BUY",
                   quantity=100, order_type="LMT", status="Submitted", limit=187.5, ours=True)
    spec = OrderSpec(side="BUY", quantity=1, order_type="MKT")
    return [Request(Action.PLACE, spec, ContractSpec(con_id=AAPL.conId)),
            Request(Action.MODIFY, replace(current_terms(row), limit=1.0),
                    spec_from_order(row), row),
            Request(Action.CANCEL, target=row), Request(Action.CANCEL_ALL)]


def test_readonly_refuses_every_order_request_before_sending(state, ib):
    adapter = IBAdapter(state, ib, client_id=1, readonly=True)
    for request in requests():
        assert "Read-only" in adapter.decide(request).refusal
        with pytest.raises(RefusedError, match="Read-only"):
            adapter.send(forged(request), AAPL)
    assert ib.trades() == []


async def test_readonly_still_reads(state, ib):
    adapter = IBAdapter(state, ib, client_id=1, readonly=True)

    with pytest.raises(NotConnectedError):  # refused for the socket, not for readonly
        await adapter.resolve("AAPL")
    with pytest.raises(NotConnectedError):
        adapter.subscribe_quote(AAPL)


def test_nothing_is_sent_while_disconnected(adapter, ib):
    for request in requests():
        with pytest.raises(RefusedError, match="Not connected"):
            adapter.send(forged(request), AAPL)
    assert ib.trades() == []


def test_only_our_own_live_orders_may_be_changed(adapter, ib, state):
    open_order(ib, order_id=40, client_id=7, perm_id=900)
    theirs = state.order(OrderKey(client_id=7, order_id=40))
    with pytest.raises(RefusedError, match="belongs to client 7"):
        adapter.send(forged(Request(Action.CANCEL, target=theirs)))

    open_order(ib)
    order_status(ib, "Filled", filled=100)
    filled = state.order(KEY)
    assert filled is not None and filled.status == "Filled"
    stale = replace(filled, status="Submitted")  # what the screen showed a moment ago
    with pytest.raises(RefusedError, match="Filled"):
        adapter.send(forged(Request(Action.MODIFY, replace(current_terms(filled), limit=187.6),
                                    spec_from_order(filled), stale)))

    open_order(ib, order_id=13, perm_id=556)
    ours = state.order(OrderKey(client_id=1, order_id=13))
    with pytest.raises(RefusedError, match="Not connected"):  # ours and live: only the socket
        adapter.send(forged(Request(Action.CANCEL, target=ours)))
