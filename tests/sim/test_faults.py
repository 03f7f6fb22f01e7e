"""Fault switches: dropped and refused connections, duplicate and reordered messages,
connectivity notices and pacing, as a blotter must survive them."""

from __future__ import annotations

import asyncio

import pytest
from ib_async import IB, Contract, LimitOrder, MarketOrder

from ib_blotter.sim.simulator import Simulator

from .conftest import HOST, Connect, ErrorLog, WireSpy, wait_status, wait_until


async def test_dropped_connection_fires_disconnected_event(sim: Simulator, ib: IB) -> None:
    dropped = asyncio.Event()
    ib.disconnectedEvent += dropped.set
    sim.drop_connections()
    await asyncio.wait_for(dropped.wait(), 5)
    assert not ib.isConnected()


async def test_gateway_restart_refuses_then_reconnect_finds_the_orders(
    sim: Simulator, connect: Connect, ib: IB, aapl: Contract
) -> None:
    working = ib.placeOrder(aapl, LimitOrder("BUY", 100, 99.00))
    filled = ib.placeOrder(aapl, MarketOrder("BUY", 10))
    await wait_status(working, "Submitted")
    await wait_status(filled, "Filled")
    restart = asyncio.create_task(sim.refuse_connections(1.0))
    await wait_until(lambda: not ib.isConnected(), "the restart to drop client 1")
    with pytest.raises(ConnectionRefusedError):
        await IB().connectAsync(HOST, sim.port, clientId=1, timeout=2)
    await asyncio.wait_for(restart, 5)

    again = await connect(1)
    assert working.order.permId in {t.order.permId for t in again.openTrades()}
    assert {f.execution.execId for f in again.fills()} == {f.execution.execId for f in filled.fills}


async def test_duplicate_execution_reaches_the_client_twice(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    spy = WireSpy(ib)
    sim.faults.duplicate_executions = 1
    trade = ib.placeOrder(aapl, MarketOrder("BUY", 10))
    await wait_status(trade, "Filled")
    exec_ids = [m[14] for m in spy.of(11)]
    assert len(exec_ids) == 2 and exec_ids[0] == exec_ids[1]
    assert len(ib.fills()) == 1  # ib_async keys fills by execId


async def test_reordered_statuses_arrive_out_of_order_but_all_arrive(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    spy = WireSpy(ib)
    sim.faults.reorder_statuses = True
    quantity = 3 * sim.market.quote(aapl.conId).askSize
    trade = ib.placeOrder(aapl, MarketOrder("BUY", quantity))
    order_id = str(trade.order.orderId)

    def filled_seen() -> list[float]:
        return [float(m[3]) for m in spy.of(3) if m[1] == order_id]

    await wait_until(lambda: quantity in filled_seen(), "the Filled status")
    await wait_until(lambda: len(filled_seen()) >= 4, "every status")
    seen = filled_seen()
    assert seen != sorted(seen)
    cumulative = [f.cumQty for f in sim.exchange.fills]
    assert sorted(seen) == [0.0, *cumulative]


@pytest.mark.parametrize("code", [1100, 1101, 1102])
async def test_connectivity_notices_reach_error_event(sim: Simulator, ib: IB, code: int) -> None:
    errors = ErrorLog(ib)
    sim.send_connectivity(code)
    await wait_until(lambda: code in errors.codes(-1), f"notice {code}")
    assert "Connectivity between IB and Trader Workstation" in errors.text(code)


async def test_pacing_violation_gets_error_100(sim: Simulator, ib: IB) -> None:
    errors = ErrorLog(ib)
    sim.faults.pacing_limit = 5
    for _ in range(20):
        ib.client.reqCurrentTime()
    await wait_until(lambda: 100 in errors.codes(-1), "error 100")
    assert errors.text(100).startswith("Max rate of messages per second has been exceeded")
