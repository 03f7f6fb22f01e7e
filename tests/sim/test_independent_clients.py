"""Clients nobody here wrote, each through a whole trading day against the simulator with no
protocol error: ib_async 2.1.0 (server version 178) and ib_insync 0.9.86 (it offers 157..176,
so it is answered 176 and reads faProfile in every order message). IB's own ibapi runs the same
flow in test_ibapi.py. Place, modify, cancel, fill, executions, positions, completed orders.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import ib_async
import ib_insync
import pytest

from ib_blotter.sim.simulator import Simulator

from .conftest import HOST, TIMEOUT

CLIENTS = {"ib_async": (ib_async, 178), "ib_insync": (ib_insync, 176)}
NOTICES = {202, 2104, 2106, 2158}  # a cancel's 202 and the farm notices: nothing else


@pytest.fixture(params=list(CLIENTS))
async def client(request: pytest.FixtureRequest, sim: Simulator) -> AsyncIterator[Any]:
    module, version = CLIENTS[request.param]
    ib = module.IB()
    ib.errors_seen = []
    ib.errorEvent += lambda req_id, code, text, contract: ib.errors_seen.append((code, text))
    await ib.connectAsync(HOST, sim.port, clientId=21, timeout=TIMEOUT)
    assert ib.client.serverVersion() == version
    try:
        yield ib
    finally:
        ib.disconnect()


async def _until(condition: Any, what: str) -> None:
    async with asyncio.timeout(TIMEOUT):
        while not condition():
            await asyncio.sleep(0.01)
    assert condition(), what


async def test_a_trading_day(sim: Simulator, client: Any) -> None:
    ib, module = client, type(client).__module__.split(".")[0]
    lib = ib_async if module == "ib_async" else ib_insync
    sim.set_quote("AAPL", 100.00, 100.01, last=100.00)
    [aapl] = await ib.qualifyContractsAsync(lib.Stock("AAPL", "SMART", "USD"))

    resting = ib.placeOrder(aapl, lib.LimitOrder("BUY", 100, 99.00))
    await _until(lambda: resting.orderStatus.status == "Submitted", "the limit working")
    resting.order.lmtPrice = 99.50
    ib.placeOrder(aapl, resting.order)
    await _until(lambda: sim.exchange.by_perm[resting.order.permId].request.lmtPrice == 99.50,
                 "the modify at the exchange")
    await ib.reqOpenOrdersAsync()
    assert resting.order.lmtPrice == 99.50 and resting.orderStatus.status == "Submitted"
    ib.cancelOrder(resting.order)
    await _until(lambda: resting.orderStatus.status == "Cancelled", "the cancel")

    bought = ib.placeOrder(aapl, lib.MarketOrder("BUY", 100))
    await _until(lambda: bought.orderStatus.status == "Filled", "the fill")
    await _until(lambda: bought.fills and bought.fills[-1].commissionReport.execId, "commission")
    assert bought.fills[-1].commissionReport.commission == pytest.approx(1.0)

    executions = await ib.reqExecutionsAsync()
    assert [f.execution.execId for f in executions] == [f.execution.execId for f in bought.fills]
    positions = await ib.reqPositionsAsync()
    assert [(p.contract.symbol, p.position) for p in positions] == [("AAPL", 100)]
    completed = await ib.reqCompletedOrdersAsync(apiOnly=False)
    done = {t.order.permId: t for t in completed}
    filled = done[bought.order.permId]
    assert (filled.order.totalQuantity, filled.order.filledQuantity) == (0, 100)
    assert filled.orderStatus.status == "Filled"
    assert done[resting.order.permId].orderStatus.status == "Cancelled"
    assert {code for code, _ in ib.errors_seen} <= NOTICES, ib.errors_seen
