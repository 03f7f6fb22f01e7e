"""A combo working from an earlier session comes back whole at the next connect: its legs named
(each looked up by its conId) and its tick known, and the BAG itself never looked up (TWS
answers a BAG's reqContractDetails with 321 alone, and ib_async waits for that answer for ever:
the sync would wait its whole timeout, the row would stay nameless)."""

from __future__ import annotations

import time

import ib_async
import pytest

from ib_blotter.ib.adapter import IBAdapter
from ib_blotter.sim.simulator import Simulator
from ib_blotter.state.blotter import BlotterState

from ..waiting import wait_until
from .conftest import HOST

TIMEOUT = 4.0


async def place_a_vertical(sim: Simulator) -> int:
    """An AAPL call vertical resting far below the market, placed by client 1 with ib_async."""
    ib = ib_async.IB()
    await ib.connectAsync(HOST, sim.port, clientId=1, timeout=TIMEOUT)
    try:
        [chain] = [c for c in await ib.reqSecDefOptParamsAsync("AAPL", "", "STK", 265598)
                   if c.exchange == "SMART"]
        expiry = sorted(chain.expirations)[-1]
        low, high = await ib.qualifyContractsAsync(
            *(ib_async.Option("AAPL", expiry, k, "C", "SMART") for k in (190, 195)))
        bag = ib_async.Bag(symbol="AAPL", exchange="SMART", currency="USD", comboLegs=[
            ib_async.ComboLeg(conId=low.conId, ratio=1, action="BUY", exchange="SMART"),
            ib_async.ComboLeg(conId=high.conId, ratio=1, action="SELL", exchange="SMART")])
        trade = ib.placeOrder(bag, ib_async.LimitOrder("BUY", 1, 0.05))
        await wait_until(lambda: trade.orderStatus.status == "PreSubmitted", "working")
        return trade.order.orderId
    finally:
        ib.disconnect()


async def test_a_working_combo_comes_back_with_its_legs(sim: Simulator) -> None:
    sim.set_quote("AAPL", 187.50, 187.52)
    order_id = await place_a_vertical(sim)
    state = BlotterState()
    adapter = IBAdapter(state, client_id=1)
    asked: list[ib_async.Contract] = []
    ask = adapter.ib.reqContractDetailsAsync

    def spied(contract: ib_async.Contract) -> object:  # each request still goes to the sim
        asked.append(contract)
        return ask(contract)

    adapter.ib.reqContractDetailsAsync = spied  # type: ignore[method-assign]
    try:
        started = time.monotonic()
        await adapter.connect(HOST, sim.port, TIMEOUT)
        took = time.monotonic() - started
        [row] = [r for r in state.working_orders() if r.order_id == order_id]
        await wait_until(lambda: all(leg.symbol for leg in
                                     (state.order(row.key) or row).legs), "the legs named")
        row = state.order(row.key) or row
        assert row.sec_type == "BAG" and [(leg.action, leg.ratio) for leg in row.legs] == [
            ("BUY", 1), ("SELL", 1)]
        assert row.symbol.startswith("AAPL ") and row.symbol.endswith("190/195C vert")
        assert row.min_tick == pytest.approx(0.01) and row.multiplier == 100
        assert took < TIMEOUT, f"the sync waited {took:.1f} s: something was never answered"
        assert asked and not [c for c in asked if c.conId == 28812380 or c.secType == "BAG"]
        assert not any(line.text.startswith("321") for line in state.log_lines()), [
            line.text for line in state.log_lines()]
    finally:
        adapter.disconnect()
