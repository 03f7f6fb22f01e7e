"""Who may touch an order and who hears about it: owners, other clients, master, client 0."""

from __future__ import annotations

import pytest
from ib_async import IB, Contract, LimitOrder, MarketOrder, Trade

from ib_blotter.sim.simulator import SimConfig, Simulator

from .conftest import Connect, ErrorLog, SimClock, settle, wait_status, wait_until

MASTER = 9


@pytest.fixture
def sim_config(clock: SimClock) -> SimConfig:
    return SimConfig(port=0, pace=0, seed=7, clock=clock, master_client_id=MASTER)


@pytest.fixture
async def resting(ib: IB, aapl: Contract) -> Trade:
    trade = ib.placeOrder(aapl, LimitOrder("BUY", 100, 99.00))
    await wait_status(trade, "Submitted")
    return trade


async def test_another_client_cannot_cancel_an_order(
    connect: Connect, ib: IB, resting: Trade
) -> None:
    other = await connect(2)
    errors = ErrorLog(other)
    order_id = resting.order.orderId
    other.client.cancelOrder(order_id, "")
    await wait_until(lambda: 10147 in errors.codes(order_id), "error 10147 for client 2")
    await settle(ib)
    assert resting.orderStatus.status == "Submitted"


async def test_open_orders_are_the_clients_own_and_all_open_orders_everyone(
    connect: Connect, ib: IB, resting: Trade
) -> None:
    other = await connect(2)
    own = await other.reqOpenOrdersAsync()
    assert resting.order.permId not in {t.order.permId for t in own}
    everyone = await other.reqAllOpenOrdersAsync()
    [seen] = [t for t in everyone if t.order.permId == resting.order.permId]
    assert (seen.order.clientId, seen.order.orderId) == (1, resting.order.orderId)


async def test_master_client_sees_other_clients_orders_and_fills_live(
    sim: Simulator, connect: Connect, ib: IB, aapl: Contract
) -> None:
    master = await connect(MASTER)
    trade = ib.placeOrder(aapl, MarketOrder("BUY", 10))
    await wait_status(trade, "Filled")
    await wait_until(
        lambda: any(t.order.permId == trade.order.permId for t in master.trades()),
        "the master client to hear of client 1's order",
    )
    [mirror] = [t for t in master.trades() if t.order.permId == trade.order.permId]
    await wait_until(lambda: mirror.orderStatus.status == "Filled", "the master's Filled")
    await wait_until(
        lambda: (
            {f.execution.execId for f in master.fills()}
            == {f.execution.execId for f in trade.fills}
        ),
        "the master client to receive the fills",
    )


async def test_non_master_client_hears_nothing_of_other_clients(
    connect: Connect, ib: IB, aapl: Contract
) -> None:
    bystander = await connect(3)
    trade = ib.placeOrder(aapl, MarketOrder("BUY", 10))
    await wait_status(trade, "Filled")
    await settle(bystander)
    assert bystander.trades() == [] and bystander.fills() == []


async def test_client_zero_binds_manual_orders_with_negative_ids(
    sim: Simulator, connect: Connect
) -> None:
    sim.set_quote("AAPL", 100.00, 100.01)
    sim.add_manual_order("AAPL", "BUY", 100, "LMT", limit=99.00)
    zero = await connect(0)
    await wait_until(lambda: zero.openTrades(), "client 0 to bind the manual order")
    [bound] = zero.openTrades()
    assert bound.order.orderId < 0
    assert bound.orderStatus.status == "Submitted"

    later = sim.add_manual_order("AAPL", "SELL", 50, "LMT", limit=101.00)
    assert later is not None
    await wait_until(lambda: len(zero.openTrades()) == 2, "the live manual order to bind")
    [live] = [t for t in zero.openTrades() if t.order.permId == later.permId]
    assert live.order.orderId < 0 and live.order.orderId != bound.order.orderId

    zero.cancelOrder(bound.order)
    await wait_status(bound, "Cancelled")
    assert sim.exchange.by_perm[bound.order.permId].status == "Cancelled"


async def test_a_client_other_than_zero_does_not_bind_manual_orders(sim: Simulator, ib: IB) -> None:
    sim.add_manual_order("AAPL", "BUY", 100, "LMT", limit=99.00)
    await settle(ib)
    assert ib.openTrades() == []
    assert [o.orderId for o in sim.exchange.by_perm.values()] == [0]
