"""Positions, portfolio, account values, PnL, executions with filters, completed orders, time."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from ib_async import IB, Contract, ExecutionFilter, LimitOrder, MarketOrder, Stock, Trade

from ib_blotter.sim.simulator import Simulator

from .conftest import Connect, SimClock, settle, us_eastern, wait_status, wait_until

ACCOUNT = "DU1234567"
COMMISSION = 1.00  # IB's fixed-rate minimum covers 100 shares


async def trade_filled(ib: IB, contract: Contract, action: str, quantity: float) -> Trade:
    trade = ib.placeOrder(contract, MarketOrder(action, quantity))
    await wait_status(trade, "Filled")
    await wait_until(
        lambda: all(f.commissionReport.execId for f in trade.fills), "the commission reports"
    )
    return trade


def value(ib: IB, tag: str, account: str = ACCOUNT) -> float:
    [item] = [v for v in ib.accountValues(account) if v.tag == tag and v.currency == "USD"]
    return float(item.value)


async def test_positions_carry_the_average_cost_with_commission(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    await trade_filled(ib, aapl, "BUY", 100)
    positions = await ib.reqPositionsAsync()
    [held] = [p for p in positions if p.contract.conId == aapl.conId]
    assert (held.account, held.position) == (ACCOUNT, 100)
    assert held.avgCost == pytest.approx(100.01 + COMMISSION / 100)  # TWS folds fees into cost


async def test_portfolio_for_one_account_moves_with_prices(
    sim: Simulator, connect: Connect
) -> None:
    sim.set_quote("AAPL", 100.00, 100.01)
    ib = await connect(1, account=ACCOUNT)
    [aapl] = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
    await trade_filled(ib, aapl, "BUY", 100)
    await wait_until(lambda: ib.portfolio(ACCOUNT), "the AAPL portfolio line")
    [line] = ib.portfolio(ACCOUNT)
    assert line.position == 100
    assert line.averageCost == pytest.approx(100.02)

    sim.set_quote("AAPL", 102.00, 102.01, last=102.00)
    await wait_until(
        lambda: ib.portfolio(ACCOUNT)[0].marketPrice == 102.00, "the portfolio to re-mark"
    )
    [line] = ib.portfolio(ACCOUNT)
    assert line.marketValue == pytest.approx(10_200.00)
    assert line.unrealizedPNL == pytest.approx(100 * (102.00 - 100.02))


async def test_account_values_for_every_account(sim: Simulator, ib: IB, aapl: Contract) -> None:
    for account in sim.config.accounts:
        assert value(ib, "NetLiquidation", account) == pytest.approx(1_000_000.00)
        assert value(ib, "BuyingPower", account) > 0
        assert value(ib, "AvailableFunds", account) > 0
        assert value(ib, "TotalCashValue", account) == pytest.approx(1_000_000.00)
    await trade_filled(ib, aapl, "BUY", 100)
    await wait_until(
        lambda: value(ib, "TotalCashValue") == pytest.approx(1_000_000 - 10_001 - COMMISSION),
        "the cash to pay for the shares",
    )
    assert value(ib, "GrossPositionValue") == pytest.approx(100 * 100.01)  # marked at our print


async def test_round_trip_reports_realized_pnl_in_the_commission_report(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    buy = await trade_filled(ib, aapl, "BUY", 100)
    assert buy.fills[0].commissionReport.realizedPNL == 0  # opening fills realize nothing
    sim.set_quote("AAPL", 101.00, 101.01)
    sell = await trade_filled(ib, aapl, "SELL", 100)
    [report] = [f.commissionReport for f in sell.fills]
    assert report.commission == pytest.approx(COMMISSION)
    gross = 100 * (101.00 - 100.01)
    assert report.realizedPNL == pytest.approx(gross - 2 * COMMISSION)


async def test_pnl_and_pnl_single_update(sim: Simulator, ib: IB, aapl: Contract) -> None:
    pnl = ib.reqPnL(ACCOUNT)
    single = ib.reqPnLSingle(ACCOUNT, "", aapl.conId)
    await wait_until(lambda: not math.isnan(pnl.dailyPnL), "the first PnL")
    await wait_until(lambda: single.position == 0, "the first single PnL")
    await trade_filled(ib, aapl, "BUY", 100)
    sim.set_quote("AAPL", 101.00, 101.01, last=101.00)
    expected = 100 * (101.00 - 100.02)
    await wait_until(
        lambda: single.unrealizedPnL == pytest.approx(expected), "the single PnL to update"
    )
    assert single.position == 100
    assert single.value == pytest.approx(10_100.00)
    await wait_until(lambda: pnl.unrealizedPnL == pytest.approx(expected), "the PnL to update")


async def test_executions_filtered_by_symbol_side_and_time(
    sim: Simulator, ib: IB, aapl: Contract, clock: SimClock
) -> None:
    sim.set_quote("MSFT", 400.00, 400.01)
    [msft] = await ib.qualifyContractsAsync(Stock("MSFT", "SMART", "USD"))
    early = await trade_filled(ib, aapl, "BUY", 10)
    clock.advance(60)
    late_sell = await trade_filled(ib, msft, "SELL", 10)
    late_buy = await trade_filled(ib, aapl, "BUY", 20)

    def ids(trades: list[Trade]) -> set[str]:
        return {f.execution.execId for t in trades for f in t.fills}

    async def fetched(exec_filter: ExecutionFilter) -> set[str]:
        return {f.execution.execId for f in await ib.reqExecutionsAsync(exec_filter)}

    assert await fetched(ExecutionFilter(symbol="AAPL")) == ids([early, late_buy])
    assert await fetched(ExecutionFilter(side="SELL")) == ids([late_sell])
    since = us_eastern(clock.now - 30)
    assert await fetched(ExecutionFilter(time=since)) == ids([late_sell, late_buy])
    assert await fetched(ExecutionFilter(clientId=2)) == set()


async def test_completed_orders_list_filled_and_cancelled(ib: IB, aapl: Contract) -> None:
    filled = await trade_filled(ib, aapl, "BUY", 10)
    cancelled = ib.placeOrder(aapl, LimitOrder("BUY", 10, 90.00))
    await wait_status(cancelled, "Submitted")
    ib.cancelOrder(cancelled.order)
    await wait_status(cancelled, "Cancelled")
    completed = {t.order.permId: t for t in await ib.reqCompletedOrdersAsync(apiOnly=False)}
    assert completed[filled.order.permId].orderStatus.status == "Filled"
    assert completed[filled.order.permId].order.filledQuantity == 10
    assert completed[cancelled.order.permId].orderStatus.status == "Cancelled"


async def test_current_time_is_the_simulator_clock(ib: IB, clock: SimClock) -> None:
    now = await ib.reqCurrentTimeAsync()
    assert now == dt.datetime.fromtimestamp(clock.now, dt.UTC)


async def test_account_summary_covers_every_account(sim: Simulator, ib: IB) -> None:
    summary = await ib.accountSummaryAsync()
    net_liq = {v.account for v in summary if v.tag == "NetLiquidation"}
    assert net_liq == set(sim.config.accounts)
    await settle(ib)
