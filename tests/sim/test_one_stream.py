"""Each client's messages are one stream, in order, as from TWS: an order is announced
(openOrder) before any status of it, and a long reply is not overtaken by live messages (a
status sent past a pending answer made a master client keep a filled order as working)."""

from __future__ import annotations

import asyncio

import pytest
from ib_async import IB, ExecutionFilter

from ib_blotter.sim.model import OrderRequest, SimContract
from ib_blotter.sim.simulator import SimConfig, Simulator

from .conftest import SimClock, WireSpy, settle

MASTER = 9


@pytest.fixture
def sim_config(clock: SimClock) -> SimConfig:
    return SimConfig(port=0, pace=0, seed=7, clock=clock, master_client_id=MASTER)


def place(sim: Simulator, client: int, order_id: int, request: OrderRequest) -> None:
    sim.exchange.place(client, order_id, SimContract(conId=sim.instrument_id("AAPL")), request)


async def test_a_bracket_of_another_client_is_announced_before_its_statuses(
    sim: Simulator, connect  # type: ignore[no-untyped-def]
) -> None:
    master: IB = await connect(MASTER)
    spy = WireSpy(master)
    sim.set_quote("AAPL", 100.00, 100.01, last=100.00, size=100)
    place(sim, 2, 1, OrderRequest(action="BUY", totalQuantity=10, orderType="LMT",
                                  lmtPrice=100.05, transmit=False))  # fills on transmit
    place(sim, 2, 2, OrderRequest(action="SELL", totalQuantity=10, orderType="LMT",
                                  lmtPrice=101.0, parentId=1, transmit=False))
    place(sim, 2, 3, OrderRequest(action="SELL", totalQuantity=10, orderType="STP",
                                  auxPrice=99.0, parentId=1))
    await settle(master)
    for order_id in ("1", "2", "3"):
        about = [m[0] for m in spy.messages if m[0] in ("5", "3") and m[1] == order_id]
        assert about and about[0] == "5", f"order {order_id}: {about}"
    [parent] = [t for t in master.trades() if t.order.orderId == 1 and t.order.clientId == 2]
    assert parent.orderStatus.status == "Filled"


async def test_a_live_execution_waits_behind_a_long_answer(
    sim: Simulator, connect  # type: ignore[no-untyped-def]
) -> None:
    sim.set_quote("AAPL", 100.00, 100.01, last=100.00, size=5)
    for order_id in range(1, 401):  # a busy morning: hundreds of executions
        place(sim, 2, order_id, OrderRequest(action="BUY" if order_id % 2 else "SELL",
                                             totalQuantity=25, orderType="MKT"))
    master: IB = await connect(MASTER)
    spy = WireSpy(master)
    answer = asyncio.ensure_future(master.reqExecutionsAsync(ExecutionFilter()))
    await asyncio.sleep(0.002)  # the answer is going out now
    place(sim, 2, 401, OrderRequest(action="BUY", totalQuantity=5, orderType="MKT"))
    await answer
    await settle(master)
    kinds = [(m[0], m[1]) for m in spy.messages if m[0] in ("11", "55")]
    end = next(i for i, (kind, _) in enumerate(kinds) if kind == "55")
    live = [i for i, (kind, req) in enumerate(kinds) if kind == "11" and req == "-1"]
    assert live and min(live) > end, f"a live execution at {min(live)}, the answer ends at {end}"
