"""Combos (BAG) through a real socket with ib_async: a vertical, a credit and a ratio spread
placed, modified, cancelled and filled at their net price; fills per leg and for the BAG, the
combo's commission on the legs; leg positions; the net quote; what IB refuses."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from ib_async import IB, Bag, ComboLeg, Contract, LimitOrder, MarketOrder, Option, Trade

from ib_blotter.sim.simulator import Simulator

from .conftest import ErrorLog, OpenOrderSpy, settle, wait_status, wait_until

ACCOUNT = "DU1234567"


async def calls(ib: IB, sim: Simulator, *strikes: float) -> list[Contract]:
    sim.set_quote("AAPL", 187.50, 187.52)
    [chain] = [c for c in await ib.reqSecDefOptParamsAsync("AAPL", "", "STK", 265598)
               if c.exchange == "SMART"]
    expiry = sorted(chain.expirations)[-1]
    return await ib.qualifyContractsAsync(*(Option("AAPL", expiry, k, "C", "SMART")
                                            for k in strikes))


def bag(*legs: tuple[Contract, int, str]) -> Bag:
    return Bag(symbol="AAPL", exchange="SMART", currency="USD", comboLegs=[
        ComboLeg(conId=c.conId, ratio=r, action=a, exchange="SMART") for c, r, a in legs])


def net(sim: Simulator, *legs: tuple[Contract, int, str]) -> float:
    """The price of buying the combo now: BUY legs at the ask, SELL legs at the bid."""
    total = 0.0
    for contract, ratio, action in legs:
        quote = sim.market.quote(contract.conId)
        total += ratio * quote.ask if action == "BUY" else -ratio * quote.bid
    return round(total, 2)


async def filled(trade: Trade) -> None:
    await wait_status(trade, "Filled")
    await wait_until(lambda: trade.fills and all(f.commissionReport.execId for f in trade.fills),
                     "every fill's commission report")


async def test_a_vertical_fills_per_leg_and_for_the_bag(ib: IB, sim: Simulator) -> None:
    low, high = await calls(ib, sim, 190, 195)
    legs = ((low, 1, "BUY"), (high, 1, "SELL"))
    price = net(sim, *legs)
    trade = ib.placeOrder(bag(*legs), LimitOrder("BUY", 2, price, account=ACCOUNT))
    await filled(trade)
    by_type = sorted((f.contract.secType, f.contract.conId, f.execution.side,
                      f.execution.shares) for f in trade.fills)
    assert by_type == sorted([("BAG", 28812380, "BOT", 2), ("OPT", low.conId, "BOT", 2),
                              ("OPT", high.conId, "SLD", 2)])
    assert trade.filled() == 2  # ib_async counts the BAG's own fills only
    assert trade.orderStatus.avgFillPrice == pytest.approx(price)
    bag_fill = next(f for f in trade.fills if f.contract.secType == "BAG")
    assert bag_fill.execution.price == pytest.approx(price)
    fees = {f.contract.secType: f.commissionReport.commission for f in trade.fills
            if f.contract.secType == "BAG"}
    assert fees == {"BAG": 0.0}
    assert sum(f.commissionReport.commission for f in trade.fills) == pytest.approx(2.60)
    positions = {p.contract.conId: p.position for p in await ib.reqPositionsAsync()}
    assert (positions[low.conId], positions[high.conId]) == (2, -2)
    assert 28812380 not in positions
    echoed = trade.contract
    assert [(leg.conId, leg.ratio, leg.action) for leg in echoed.comboLegs] == [
        (low.conId, 1, "BUY"), (high.conId, 1, "SELL")]


async def test_the_bag_is_echoed_as_tws_echoes_it(ib: IB, sim: Simulator) -> None:
    """As recorded (ibkr-go api_combo_option_vertical_aapl, server version 225)."""
    low, high = await calls(ib, sim, 190, 195)
    spy = OpenOrderSpy(ib)
    trade = ib.placeOrder(bag((low, 1, "BUY"), (high, 1, "SELL")), LimitOrder("BUY", 1, 0.05))
    await wait_status(trade, "PreSubmitted")
    contract = next(c for c, o, _ in spy.seen if o.orderId == trade.order.orderId)
    assert (contract.conId, contract.secType, contract.localSymbol, contract.tradingClass) == (
        28812380, "BAG", "AAPL", "COMB")
    assert contract.comboLegsDescrip == f"{low.conId}|1,{high.conId}|-1"
    assert [(leg.exchange, leg.exemptCode) for leg in contract.comboLegs] == [("SMART", -1)] * 2
    ib.cancelOrder(trade.order)
    await wait_status(trade, "Cancelled")


async def test_one_lot_pays_the_minimum_once(ib: IB, sim: Simulator) -> None:
    low, high = await calls(ib, sim, 190, 195)
    trade = ib.placeOrder(bag((low, 1, "BUY"), (high, 1, "SELL")), MarketOrder("BUY", 1))
    await filled(trade)
    assert sum(f.commissionReport.commission for f in trade.fills) == pytest.approx(1.30)


async def test_a_resting_spread_is_modified_cancelled_then_fills(ib: IB, sim: Simulator) -> None:
    low, high = await calls(ib, sim, 190, 195)
    legs = ((low, 1, "BUY"), (high, 1, "SELL"))
    price = net(sim, *legs)
    trade = ib.placeOrder(bag(*legs), LimitOrder("BUY", 1, round(price - 0.50, 2)))
    await wait_status(trade, "PreSubmitted")  # IB works a combo itself: never Submitted
    spy = OpenOrderSpy(ib)
    trade.order.lmtPrice = round(price - 0.40, 2)
    ib.placeOrder(trade.contract, trade.order)
    await wait_until(lambda: [o.lmtPrice for o in spy.orders(trade.order.orderId)] == [
        round(price - 0.40, 2)], "the modified echo")
    ib.cancelOrder(trade.order)
    await wait_status(trade, "Cancelled")
    assert "Submitted" not in [e.status for e in trade.log]
    again = ib.placeOrder(bag(*legs), LimitOrder("BUY", 1, round(price - 0.40, 2)))
    await wait_status(again, "PreSubmitted")
    sim.set_quote("AAPL", 182.00, 182.02)  # the spread cheapens as AAPL falls
    await filled(again)
    assert again.orderStatus.avgFillPrice <= round(price - 0.40, 2) + 1e-9


async def test_a_credit_is_a_negative_price(ib: IB, sim: Simulator) -> None:
    low, high = await calls(ib, sim, 190, 195)
    legs = ((high, 1, "BUY"), (low, 1, "SELL"))  # sell the vertical: a credit
    price = net(sim, *legs)
    assert price < 0
    trade = ib.placeOrder(bag(*legs), LimitOrder("BUY", 1, price))
    await filled(trade)
    assert trade.orderStatus.avgFillPrice == pytest.approx(price)


async def test_a_ratio_spread_trades_its_ratios(ib: IB, sim: Simulator) -> None:
    low, high = await calls(ib, sim, 190, 200)
    trade = ib.placeOrder(bag((low, 1, "BUY"), (high, 2, "SELL")), MarketOrder("BUY", 3))
    await filled(trade)
    shares = {f.contract.conId: f.execution.shares for f in trade.fills}
    assert (shares[low.conId], shares[high.conId]) == (3, 6)
    positions = {p.contract.conId: p.position for p in await ib.reqPositionsAsync()}
    assert (positions[low.conId], positions[high.conId]) == (3, -6)


async def test_the_combos_quote_is_its_legs_net(ib: IB, sim: Simulator) -> None:
    low, high = await calls(ib, sim, 190, 195)
    ticker = ib.reqMktData(bag((low, 1, "BUY"), (high, 1, "SELL")))
    await wait_until(lambda: ticker.ask == ticker.ask and ticker.ask > 0, "the net quote")
    assert ticker.ask == pytest.approx(net(sim, (low, 1, "BUY"), (high, 1, "SELL")))
    assert ticker.bid < ticker.ask


async def test_what_if_of_a_short_vertical_is_its_width(ib: IB, sim: Simulator) -> None:
    low, high = await calls(ib, sim, 190, 195)
    combo = bag((low, 1, "BUY"), (high, 1, "SELL"))
    long = await ib.whatIfOrderAsync(combo, MarketOrder("BUY", 1, account=ACCOUNT))
    short = await ib.whatIfOrderAsync(combo, MarketOrder("SELL", 1, account=ACCOUNT))
    assert float(long.initMarginChange) == 0.0  # a debit spread: its premium is the risk
    assert 0 < float(short.initMarginChange) <= 500.0  # no more than 5 wide x 100
    assert long.commission == pytest.approx(1.30)


async def test_what_ib_refuses(ib: IB, sim: Simulator) -> None:
    [low] = await calls(ib, sim, 190)
    errors = ErrorLog(ib)
    # a BAG's details: 321 alone, a warning to ib_async, so the request never ends (as with
    # TWS: pysystemtrade #1659 saw it block for hours)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(ib.reqContractDetailsAsync(bag((low, 1, "BUY"))), 0.5)
    assert 321 in errors.codes()
    empty = ib.placeOrder(Bag(symbol="AAPL", exchange="SMART", currency="USD"),
                          LimitOrder("BUY", 1, 1.0))
    unknown = ib.placeOrder(Bag(symbol="AAPL", exchange="SMART", currency="USD", comboLegs=[
        ComboLeg(conId=1, ratio=1, action="BUY", exchange="SMART")]), LimitOrder("BUY", 1, 1.0))
    await settle(ib)
    assert errors.codes(empty.order.orderId) == [321]
    assert errors.codes(unknown.order.orderId) == [200]


async def test_a_spread_filled_while_away_comes_back_whole(
    sim: Simulator, connect: Any
) -> None:
    """Never lose a fill: reqExecutions after a reconnect has every leg's fill and the BAG's,
    each with its commission report."""
    ib = await connect(1)
    low, high = await calls(ib, sim, 190, 195)
    legs = ((low, 1, "BUY"), (high, 1, "SELL"))
    trade = ib.placeOrder(bag(*legs), LimitOrder("BUY", 2, round(net(sim, *legs) - 0.40, 2)))
    await wait_status(trade, "PreSubmitted")
    ib.disconnect()
    await wait_until(lambda: 1 not in sim.sessions, "the client gone")
    sim.set_quote("AAPL", 182.00, 182.02)  # it fills meanwhile
    assert sim.exchange.by_perm[trade.order.permId].status == "Filled"
    back = await connect(1)  # its start-up asks for the day's executions
    mine = [f for f in back.fills() if f.execution.permId == trade.order.permId]
    assert sorted(f.contract.secType for f in mine) == ["BAG", "OPT", "OPT"]
    assert all(f.commissionReport.execId == f.execution.execId for f in mine)
    assert sum(f.commissionReport.commission for f in mine) == pytest.approx(2.60)
