"""IB's own `ibapi` client against the simulator: a second, independent reading of the protocol.

ibapi is synchronous: its connect blocks on the handshake and `run()` is its message loop, so
both run in threads while the simulator serves on the test's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from ibapi.client import EClient
from ibapi.contract import Contract
from ibapi.execution import ExecutionFilter
from ibapi.order import Order
from ibapi.order_cancel import OrderCancel
from ibapi.wrapper import EWrapper

from ib_blotter.sim.simulator import Simulator

from .conftest import HOST, wait_until

CLIENT_ID = 11


class Recorder(EWrapper):
    """Keeps every callback the tests look at; called on ibapi's message-loop thread."""

    def __init__(self) -> None:
        super().__init__()
        self.next_id: int | None = None
        self.accounts = ""
        self.details: dict[int, list[Any]] = {}
        self.details_ended: set[int] = set()
        self.open_orders: list[tuple[int, Contract, Order, Any]] = []
        self.statuses: list[tuple[int, str, Decimal, Decimal, float]] = []
        self.executions: list[Any] = []
        self.commissions: list[Any] = []
        self.errors: list[tuple[int, int, str]] = []
        self.positions: list[tuple[str, Contract, Decimal, float]] = []
        self.positions_ended = False
        self.executions_ended: set[int] = set()
        self.completed: list[tuple[Contract, Order, Any]] = []
        self.completed_ended = False

    def nextValidId(self, orderId: int) -> None:
        self.next_id = orderId

    def managedAccounts(self, accountsList: str) -> None:
        self.accounts = accountsList

    def contractDetails(self, reqId: int, contractDetails: Any) -> None:
        self.details.setdefault(reqId, []).append(contractDetails)

    def contractDetailsEnd(self, reqId: int) -> None:
        self.details_ended.add(reqId)

    def openOrder(self, orderId: int, contract: Contract, order: Order, orderState: Any) -> None:
        self.open_orders.append((orderId, contract, order, orderState))

    def orderStatus(
        self,
        orderId: int,
        status: str,
        filled: Decimal,
        remaining: Decimal,
        avgFillPrice: float,
        *rest: Any,
    ) -> None:
        self.statuses.append((orderId, status, filled, remaining, avgFillPrice))

    def execDetails(self, reqId: int, contract: Contract, execution: Any) -> None:
        self.executions.append(execution)

    def commissionAndFeesReport(self, commissionAndFeesReport: Any) -> None:
        self.commissions.append(commissionAndFeesReport)

    def error(
        self,
        reqId: int,
        errorTime: int,
        errorCode: int,
        errorString: str,
        advancedOrderRejectJson: str = "",
    ) -> None:
        self.errors.append((reqId, errorCode, errorString))

    def position(self, account: str, contract: Contract, position: Decimal, avgCost: float) -> None:
        self.positions.append((account, contract, position, avgCost))

    def positionEnd(self) -> None:
        self.positions_ended = True

    def execDetailsEnd(self, reqId: int) -> None:
        self.executions_ended.add(reqId)

    def completedOrder(self, contract: Contract, order: Order, orderState: Any) -> None:
        self.completed.append((contract, order, orderState))

    def completedOrdersEnd(self) -> None:
        self.completed_ended = True

    def status_of(self, order_id: int) -> str | None:
        mine = [s for s in self.statuses if s[0] == order_id]
        return mine[-1][1] if mine else None


class ApiClient(EClient):
    def __init__(self, recorder: Recorder) -> None:
        super().__init__(recorder)
        self.recorder = recorder
        self.failure: BaseException | None = None
        self.stopping = False

    def run_recording(self) -> None:
        try:
            self.run()
        except BaseException as exc:  # a decoding failure ends ibapi's loop: keep it for the test
            # ibapi's own shutdown race: run() may read a queued message after disconnect()
            # cleared the server version; that is not the simulator's doing.
            if not self.stopping:
                self.failure = exc


def stock(symbol: str) -> Contract:
    contract = Contract()
    contract.symbol, contract.secType = symbol, "STK"
    contract.exchange, contract.currency = "SMART", "USD"
    return contract


def limit(action: str, quantity: int, price: float) -> Order:
    order = Order()
    order.action, order.orderType = action, "LMT"
    order.totalQuantity, order.lmtPrice = Decimal(quantity), price
    return order


def market(action: str, quantity: int) -> Order:
    order = Order()
    order.action, order.orderType, order.totalQuantity = action, "MKT", Decimal(quantity)
    return order


@contextlib.asynccontextmanager
async def connected(sim: Simulator, recorder: Recorder,
                    client_id: int = CLIENT_ID) -> AsyncIterator[ApiClient]:
    """An ibapi client on the simulator, its message loop in a thread; every message it was
    sent is read before it goes, and a message it could not read fails the test."""
    client = ApiClient(recorder)
    await asyncio.to_thread(client.connect, HOST, sim.port, client_id)
    assert client.isConnected(), "ibapi could not connect"
    loop = threading.Thread(target=client.run_recording, name="ibapi-run", daemon=True)
    loop.start()
    try:
        yield client
    finally:
        await wait_until(client.msg_queue.empty, "ibapi to read everything it was sent")
        client.stopping = True
        client.disconnect()
        await asyncio.to_thread(loop.join, 5)
        if client.reader is not None:
            await asyncio.to_thread(client.reader.join, 5)
        assert not loop.is_alive(), "ibapi's message loop did not stop"
        assert client.failure is None, f"ibapi's message loop failed: {client.failure!r}"


@pytest.fixture
async def api(sim: Simulator) -> AsyncIterator[ApiClient]:
    sim.set_quote("AAPL", 100.00, 100.01)
    async with connected(sim, Recorder()) as client:
        yield client


async def ready(api: ApiClient) -> Recorder:
    rec = api.recorder
    await wait_until(lambda: rec.next_id is not None and rec.accounts, "nextValidId and accounts")
    return rec


async def test_connect_negotiates_178_and_receives_id_and_accounts(
    sim: Simulator, api: ApiClient
) -> None:
    rec = await ready(api)
    assert api.serverVersion() == 178
    assert rec.accounts.split(",") == list(sim.config.accounts)
    assert rec.next_id >= 1
    assert CLIENT_ID in sim.sessions


async def test_contract_details(api: ApiClient) -> None:
    await ready(api)
    api.reqContractDetails(7, stock("MSFT"))
    await wait_until(lambda: 7 in api.recorder.details_ended, "contractDetailsEnd")
    [details] = api.recorder.details[7]
    assert details.contract.conId == 272093
    assert details.minTick == 0.01
    assert details.contract.primaryExchange == "NASDAQ"


async def test_limit_order_gets_open_order_and_status(api: ApiClient) -> None:
    rec = await ready(api)
    order_id = rec.next_id
    api.placeOrder(order_id, stock("AAPL"), limit("BUY", 100, 99.50))
    await wait_until(lambda: rec.status_of(order_id) == "Submitted", "Submitted")
    [(_, contract, order, state)] = [o for o in rec.open_orders if o[0] == order_id]
    assert (contract.symbol, contract.conId) == ("AAPL", 265598)
    assert (order.action, order.orderType, order.lmtPrice) == ("BUY", "LMT", 99.50)
    assert order.totalQuantity == Decimal(100)
    assert order.clientId == CLIENT_ID and order.permId > 0
    assert state.status == "Submitted"
    _, _, filled, remaining, _ = [s for s in rec.statuses if s[0] == order_id][-1]
    assert (filled, remaining) == (Decimal(0), Decimal(100))


async def test_marketable_order_gets_executions_and_commission_reports(api: ApiClient) -> None:
    rec = await ready(api)
    order_id = rec.next_id
    api.placeOrder(order_id, stock("AAPL"), market("BUY", 100))
    await wait_until(lambda: rec.status_of(order_id) == "Filled", "Filled")
    await wait_until(lambda: len(rec.commissions) == len(rec.executions) > 0, "commissions")
    [execution] = rec.executions
    assert (execution.orderId, execution.side, execution.price) == (order_id, "BOT", 100.01)
    assert execution.shares == Decimal(100)
    [report] = rec.commissions
    assert report.execId == execution.execId
    assert report.commissionAndFees == pytest.approx(1.00)
    assert report.currency == "USD"


async def test_cancel_gets_cancelled_and_error_202(api: ApiClient) -> None:
    rec = await ready(api)
    order_id = rec.next_id
    api.placeOrder(order_id, stock("AAPL"), limit("BUY", 100, 99.00))
    await wait_until(lambda: rec.status_of(order_id) == "Submitted", "Submitted")
    api.cancelOrder(order_id, OrderCancel())
    await wait_until(lambda: rec.status_of(order_id) == "Cancelled", "Cancelled")
    await wait_until(lambda: (order_id, 202) in {e[:2] for e in rec.errors}, "error 202")


async def test_positions(api: ApiClient) -> None:
    rec = await ready(api)
    order_id = rec.next_id
    api.placeOrder(order_id, stock("AAPL"), market("BUY", 100))
    await wait_until(lambda: rec.status_of(order_id) == "Filled", "Filled")
    api.reqPositions()
    await wait_until(lambda: rec.positions_ended, "positionEnd")
    account, _, position, avg_cost = [p for p in rec.positions if p[1].conId == 265598][-1]
    assert account == "DU1234567"
    assert position == Decimal(100)
    assert avg_cost == pytest.approx(100.02)


async def test_a_trading_day(sim: Simulator, api: ApiClient) -> None:
    """Place, modify, cancel, fill, executions, positions, completed orders: no protocol error
    (a message ibapi cannot read ends its loop, which the fixture reports)."""
    rec = await ready(api)
    resting_id, bought_id = rec.next_id, rec.next_id + 1
    order = limit("BUY", 100, 99.00)
    api.placeOrder(resting_id, stock("AAPL"), order)
    await wait_until(lambda: rec.status_of(resting_id) == "Submitted", "Submitted")
    order.lmtPrice = 99.50
    api.placeOrder(resting_id, stock("AAPL"), order)
    await wait_until(lambda: [o for o in rec.open_orders if o[0] == resting_id
                              and o[2].lmtPrice == 99.50], "the modify's echo")
    api.cancelOrder(resting_id, OrderCancel())
    await wait_until(lambda: rec.status_of(resting_id) == "Cancelled", "Cancelled")
    api.placeOrder(bought_id, stock("AAPL"), market("BUY", 100))
    await wait_until(lambda: rec.status_of(bought_id) == "Filled", "Filled")
    await wait_until(lambda: rec.commissions, "the commission")
    live = list(rec.executions)
    api.reqExecutions(5, ExecutionFilter())
    await wait_until(lambda: 5 in rec.executions_ended, "execDetailsEnd")
    assert [e.execId for e in rec.executions[len(live):]] == [e.execId for e in live]
    api.reqPositions()
    await wait_until(lambda: rec.positions_ended, "positionEnd")
    assert [(c.symbol, c.exchange, p) for _, c, p, _ in rec.positions] == [
        ("AAPL", "NASDAQ", Decimal(100))]
    api.reqCompletedOrders(False)
    await wait_until(lambda: rec.completed_ended, "completedOrdersEnd")
    by_status = {state.status: o for _, o, state in rec.completed}
    assert by_status["Filled"].filledQuantity == Decimal(100)
    assert by_status["Filled"].totalQuantity == Decimal(0)
    assert "Cancelled" in by_status
    assert {code for _, code, _ in rec.errors} <= {202, 2104, 2106, 2158}, rec.errors
