"""Order types, time in force, holds, brackets, OCA, algos, what-if, modify, cancel, refusals.

AAPL starts every test at 100.00 / 100.01 (the `aapl` fixture); markets move only by set_quote.
"""

from __future__ import annotations

import pytest
from ib_async import (
    IB,
    Contract,
    LimitOrder,
    MarketOrder,
    Order,
    StopLimitOrder,
    StopOrder,
    TagValue,
    Trade,
)

from ib_blotter.sim.simulator import Simulator

from .conftest import (
    ErrorLog,
    OpenOrderSpy,
    SimClock,
    WireSpy,
    settle,
    us_eastern,
    wait_status,
    wait_until,
)

AAPL_ID = 265598


def ask_size(sim: Simulator) -> float:
    return sim.market.quote(AAPL_ID).askSize


async def placed(ib: IB, contract: Contract, order: Order, status: str) -> Trade:
    trade = ib.placeOrder(contract, order)
    await wait_status(trade, status)
    return trade


async def wait_accepted(trade: Trade) -> None:
    """Accepted and waiting; whether TWS says PreSubmitted or Submitted for an auction order
    depends on the exchange it routes to, so either will do."""
    await wait_until(
        lambda: trade.orderStatus.status in ("PreSubmitted", "Submitted"),
        f"order {trade.order.orderId} to be accepted",
    )


def loc(action: str, quantity: float, limit: float) -> Order:
    return Order(action=action, totalQuantity=quantity, orderType="LOC", lmtPrice=limit)


def statuses(spy: WireSpy, order_id: int) -> list[str]:
    return [m[2] for m in spy.of(3) if m[1] == str(order_id)]


# ---- order types -----------------------------------------------------------------------------
async def test_limit_away_from_the_market_rests_submitted(ib: IB, aapl: Contract) -> None:
    trade = await placed(ib, aapl, LimitOrder("BUY", 100, 99.50), "Submitted")
    await settle(ib)
    assert trade.orderStatus.filled == 0
    assert trade.orderStatus.remaining == 100
    assert trade.order.permId > 0
    assert trade.fills == []


async def test_market_order_sweeps_the_book_with_vwap_and_commissions(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    quantity = 3 * ask_size(sim)
    trade = await placed(ib, aapl, MarketOrder("BUY", quantity), "Filled")
    await wait_until(
        lambda: all(f.commissionReport.execId for f in trade.fills), "every commission report"
    )
    executions = [f.execution for f in trade.fills]
    assert len(executions) >= 2
    prices = [e.price for e in executions]
    assert prices == sorted(prices) and prices[0] == 100.01 and prices[-1] > 100.01
    assert [e.cumQty for e in executions] == pytest.approx(
        [sum(e.shares for e in executions[: i + 1]) for i in range(len(executions))]
    )
    vwap = sum(e.shares * e.price for e in executions) / quantity
    assert trade.orderStatus.avgFillPrice == pytest.approx(vwap)
    assert executions[-1].avgPrice == pytest.approx(vwap)
    assert trade.orderStatus.filled == quantity and trade.orderStatus.remaining == 0
    commission = sum(f.commissionReport.commission for f in trade.fills)
    assert commission == pytest.approx(max(0.005 * quantity, 1.0), abs=0.011)


async def test_a_resting_limit_takes_what_the_market_shows_once(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    """The same quote, matched again and again (a frozen market), fills nothing more."""
    trade = await placed(ib, aapl, LimitOrder("BUY", 500, 99.95), "Submitted")
    sim.set_quote("AAPL", 99.94, 99.95, last=99.95, size=100)
    for _ in range(5):
        sim.exchange.rematch(AAPL_ID)
    await settle(ib)
    assert trade.orderStatus.filled == 100
    sim.set_quote("AAPL", 99.94, 99.95, last=99.95, size=100)  # new size shown: it trades
    await wait_until(lambda: trade.orderStatus.filled == 200, "the second 100")


async def test_marketable_limit_fills_up_to_its_price_then_rests(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    size = ask_size(sim)  # 100.01 shows `size`, 100.02 one and a half times as much
    quantity = 3 * size
    trade = ib.placeOrder(aapl, LimitOrder("BUY", quantity, 100.02))
    await wait_until(lambda: trade.orderStatus.filled == 2.5 * size, "both levels to fill")
    assert trade.orderStatus.status == "Submitted"
    assert trade.orderStatus.remaining == quantity - 2.5 * size
    assert {f.execution.price for f in trade.fills} == {100.01, 100.02}
    vwap = (size * 100.01 + 1.5 * size * 100.02) / (2.5 * size)
    assert trade.orderStatus.avgFillPrice == pytest.approx(vwap)


async def test_stop_waits_presubmitted_until_the_market_crosses(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    trade = await placed(ib, aapl, StopOrder("SELL", 100, 99.50), "PreSubmitted")
    sim.set_quote("AAPL", 99.60, 99.61, last=99.60)
    await settle(ib)
    assert trade.orderStatus.status == "PreSubmitted"
    sim.set_quote("AAPL", 99.40, 99.41, last=99.45)
    await wait_status(trade, "Filled")
    assert trade.orderStatus.avgFillPrice == 99.40


async def test_stop_limit_triggers_then_works_as_a_limit(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    order = StopLimitOrder("BUY", 100, lmtPrice=100.60, stopPrice=100.50)
    trade = await placed(ib, aapl, order, "PreSubmitted")
    sim.set_quote("AAPL", 100.70, 100.75, last=100.70)  # triggered, but the ask is above the limit
    await wait_status(trade, "Submitted")
    assert trade.orderStatus.filled == 0
    sim.set_quote("AAPL", 100.55, 100.58, last=100.56)
    await wait_status(trade, "Filled")
    assert trade.orderStatus.avgFillPrice <= 100.60


async def test_trailing_amount_follows_the_market_then_triggers(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    orders = OpenOrderSpy(ib)
    trail = Order(action="SELL", totalQuantity=100, orderType="TRAIL", auxPrice=0.50)
    trade = await placed(ib, aapl, trail, "PreSubmitted")
    assert orders.orders(trade.order.orderId)[0].trailStopPrice == 99.50  # last 100.00 - 0.50
    sim.set_quote("AAPL", 101.00, 101.01, last=101.00)  # stop trails up to 100.50
    await wait_until(
        lambda: orders.orders(trade.order.orderId)[-1].trailStopPrice == 100.50,
        "openOrder with the trailed stop 100.50",
    )
    sim.set_quote("AAPL", 100.60, 100.61, last=100.60)  # a dip above the stop: nothing
    await settle(ib)
    assert trade.orderStatus.status == "PreSubmitted"
    assert orders.orders(trade.order.orderId)[-1].trailStopPrice == 100.50  # never trails down
    sim.set_quote("AAPL", 100.40, 100.41, last=100.45)
    await wait_status(trade, "Filled")
    assert trade.orderStatus.avgFillPrice == 100.40


async def test_trailing_percent_follows_the_market_then_triggers(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    trail = Order(action="BUY", totalQuantity=100, orderType="TRAIL", trailingPercent=1.0)
    trade = await placed(ib, aapl, trail, "PreSubmitted")  # stop 101.00
    sim.set_quote("AAPL", 90.00, 90.01, last=90.00)  # stop trails down to 90.90
    sim.set_quote("AAPL", 90.80, 90.81, last=90.80)
    await settle(ib)
    assert trade.orderStatus.status == "PreSubmitted"
    sim.set_quote("AAPL", 90.95, 90.96, last=90.95)
    await wait_status(trade, "Filled")
    assert trade.orderStatus.avgFillPrice == 90.96


async def test_midprice_fills_at_the_midpoint(sim: Simulator, ib: IB, aapl: Contract) -> None:
    sim.set_quote("AAPL", 100.00, 100.02)
    trade = await placed(
        ib, aapl, Order(action="BUY", totalQuantity=50, orderType="MIDPRICE"), "Filled"
    )
    assert trade.orderStatus.avgFillPrice == 100.01


async def test_market_on_close_fills_in_the_closing_auction(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    moc = ib.placeOrder(aapl, Order(action="BUY", totalQuantity=100, orderType="MOC"))
    loc_in = ib.placeOrder(aapl, loc("BUY", 100, 100.50))
    loc_out = ib.placeOrder(aapl, loc("BUY", 100, 99.00))
    for trade in (moc, loc_in, loc_out):
        await wait_accepted(trade)
    sim.set_quote("AAPL", 100.20, 100.22, last=100.21)
    await settle(ib)
    assert moc.orderStatus.filled == 0
    sim.auction("close")
    await wait_status(moc, "Filled")
    await wait_status(loc_in, "Filled")
    await wait_status(loc_out, "Cancelled")
    assert moc.orderStatus.avgFillPrice == loc_in.orderStatus.avgFillPrice == 100.21
    assert loc_out.orderStatus.filled == 0


# ---- time in force ---------------------------------------------------------------------------
async def test_day_order_expires_at_the_close_and_gtc_survives(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    day = await placed(ib, aapl, LimitOrder("BUY", 100, 99.00, tif="DAY"), "Submitted")
    gtc = await placed(ib, aapl, LimitOrder("BUY", 100, 98.00, tif="GTC"), "Submitted")
    sim.auction("close")
    await wait_status(day, "Cancelled")
    await settle(ib)
    assert gtc.orderStatus.status == "Submitted"


async def test_ioc_fills_what_it_can_then_cancels(sim: Simulator, ib: IB, aapl: Contract) -> None:
    size = ask_size(sim)
    trade = await placed(ib, aapl, LimitOrder("BUY", 2 * size, 100.01, tif="IOC"), "Cancelled")
    assert trade.orderStatus.filled == size
    assert trade.orderStatus.remaining == size
    assert [f.execution.shares for f in trade.fills] == [size]


async def test_fok_on_a_paper_account_goes_inactive(sim: Simulator, ib: IB, aapl: Contract) -> None:
    """Recorded (ibkr-go api_ioc_fok_aapl): paper TWS works no FOK, fillable or not."""
    size = ask_size(sim)
    for quantity in (2 * size, size):
        trade = await placed(ib, aapl, LimitOrder("BUY", quantity, 100.01, tif="FOK"), "Inactive")
        assert trade.fills == [] and trade.orderStatus.filled == 0


async def test_gtd_order_expires_at_its_date(
    sim: Simulator, ib: IB, aapl: Contract, clock: SimClock
) -> None:
    order = LimitOrder("BUY", 100, 99.00, tif="GTD", goodTillDate=us_eastern(clock.now + 60))
    trade = await placed(ib, aapl, order, "Submitted")
    clock.advance(30)
    sim.set_quote("AAPL", 100.00, 100.01)
    await settle(ib)
    assert trade.orderStatus.status == "Submitted"
    clock.advance(31)
    sim.set_quote("AAPL", 100.00, 100.01)
    await wait_status(trade, "Cancelled")


async def test_opg_order_waits_for_the_opening_auction(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    trade = ib.placeOrder(aapl, LimitOrder("BUY", 100, 100.50, tif="OPG"))
    await wait_accepted(trade)
    await settle(ib)
    assert trade.orderStatus.filled == 0  # marketable, but only the open can fill it
    sim.auction("open")
    await wait_status(trade, "Filled")
    assert trade.orderStatus.avgFillPrice == 100.00


async def test_outside_rth_decides_who_trades_in_the_extended_session(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    sim.set_session("extended")
    regular = await placed(ib, aapl, LimitOrder("BUY", 100, 100.05), "PreSubmitted")
    extended = await placed(ib, aapl, LimitOrder("BUY", 100, 100.05, outsideRth=True), "Filled")
    assert extended.orderStatus.avgFillPrice == 100.01
    await settle(ib)
    assert regular.orderStatus.filled == 0
    sim.set_session("regular")
    await wait_status(regular, "Filled")
    assert regular.orderStatus.avgFillPrice == 100.01  # released to the market, it takes the ask


# ---- holds, brackets, OCA ----------------------------------------------------------------------
async def test_untransmitted_order_is_held_until_its_child_transmits(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    parent = ib.placeOrder(aapl, LimitOrder("BUY", 100, 100.05, transmit=False))
    await settle(ib)
    assert parent.orderStatus.status not in ("Submitted", "Filled")
    assert sim.exchange.fills == []
    child = LimitOrder("SELL", 100, 105.00, parentId=parent.order.orderId, transmit=True)
    child_trade = ib.placeOrder(aapl, child)
    await wait_status(parent, "Filled")
    await wait_status(child_trade, "Submitted")


async def test_bracket_children_wait_for_the_parent_then_one_cancels_the_other(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    bracket = ib.bracketOrder("BUY", 100, 99.00, takeProfitPrice=101.00, stopLossPrice=98.00)
    parent, profit, loss = (ib.placeOrder(aapl, o) for o in bracket)
    await wait_status(parent, "Submitted")
    await wait_status(profit, "PreSubmitted")
    await wait_status(loss, "PreSubmitted")

    sim.set_quote("AAPL", 98.90, 98.95, last=98.92)  # the entry fills at its limit
    await wait_status(parent, "Filled")
    await wait_status(profit, "Submitted")
    await settle(ib)
    assert loss.orderStatus.status == "PreSubmitted"  # a stop rests untriggered

    sim.set_quote("AAPL", 101.00, 101.05, last=101.02)
    await wait_status(profit, "Filled")
    await wait_status(loss, "Cancelled")
    assert loss.orderStatus.filled == 0


async def test_oca_group_cancels_the_siblings_of_a_fill(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    orders = [LimitOrder("BUY", 100, 99.00), LimitOrder("BUY", 100, 98.00)]
    first, second = (
        ib.placeOrder(aapl, o) for o in ib.oneCancelsAll(orders, "oca-test", ocaType=1)
    )
    await wait_status(first, "Submitted")
    await wait_status(second, "Submitted")
    sim.set_quote("AAPL", 98.95, 98.99, last=98.97)
    await wait_status(first, "Filled")
    await wait_status(second, "Cancelled")


# ---- algos and what-if -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("strategy", "params"),
    [
        ("Adaptive", [TagValue("adaptivePriority", "Normal")]),
        ("Vwap", [TagValue("maxPctVol", "0.1"), TagValue("noTakeLiq", "1")]),
    ],
)
async def test_algo_is_accepted_and_echoed(
    ib: IB, aapl: Contract, strategy: str, params: list[TagValue]
) -> None:
    orders = OpenOrderSpy(ib)
    order = LimitOrder("BUY", 100, 99.00, algoStrategy=strategy, algoParams=params)
    trade = await placed(ib, aapl, order, "Submitted")
    echoed = orders.orders(trade.order.orderId)[-1]
    assert echoed.algoStrategy == strategy
    assert [(p.tag, p.value) for p in echoed.algoParams] == [(p.tag, p.value) for p in params]


async def test_twap_works_in_slices_over_its_window(
    sim: Simulator, ib: IB, aapl: Contract, clock: SimClock
) -> None:
    params = [
        TagValue("startTime", us_eastern(clock.now)),
        TagValue("endTime", us_eastern(clock.now + 4)),
    ]
    order = LimitOrder("BUY", 400, 100.05, algoStrategy="Twap", algoParams=params)
    trade = await placed(ib, aapl, order, "Submitted")
    for step in range(1, 5):
        clock.advance(1)
        sim.set_quote("AAPL", 100.00, 100.01)
        await wait_until(
            lambda step=step: trade.orderStatus.filled == 100 * step, f"slice {step} of 4"
        )
    await wait_status(trade, "Filled")
    assert [f.execution.shares for f in trade.fills] == [100, 100, 100, 100]
    assert {f.execution.price for f in trade.fills} == {100.01}  # each slice takes the ask


async def test_what_if_returns_commission_and_margin_without_placing(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    state = await ib.whatIfOrderAsync(aapl, LimitOrder("BUY", 100, 100.00))
    assert float(state.initMarginChange) == pytest.approx(100 * 100.00 * 0.25)
    assert float(state.maintMarginChange) > 0
    assert float(state.equityWithLoanBefore) > 0
    assert state.commission == pytest.approx(1.00)
    assert state.commissionCurrency == "USD"
    assert sim.exchange.by_perm == {}


# ---- modify and cancel -------------------------------------------------------------------------
async def test_modify_by_the_same_id(sim: Simulator, ib: IB, aapl: Contract) -> None:
    orders = OpenOrderSpy(ib)
    trade = await placed(ib, aapl, LimitOrder("BUY", 100, 99.00), "Submitted")
    trade.order.lmtPrice = 98.50
    ib.placeOrder(aapl, trade.order)
    await wait_until(
        lambda: "Modified" in [e.message for e in trade.log], "the 'Modified' log entry"
    )
    assert orders.orders(trade.order.orderId)[-1].lmtPrice == 98.50
    assert sim.exchange.by_perm[trade.order.permId].request.lmtPrice == 98.50
    assert trade.orderStatus.status == "Submitted"


async def test_cancel_is_cancelled_then_error_202(ib: IB, aapl: Contract) -> None:
    spy = WireSpy(ib)
    errors = ErrorLog(ib)
    trade = await placed(ib, aapl, LimitOrder("BUY", 100, 99.00), "Submitted")
    ib.cancelOrder(trade.order)
    await wait_status(trade, "Cancelled")
    await wait_until(lambda: 202 in errors.codes(trade.order.orderId), "error 202")
    assert statuses(spy, trade.order.orderId)[-1] == "Cancelled"
    assert "PendingCancel" not in statuses(spy, trade.order.orderId)  # ib_async's own guess
    assert not [m for m in spy.of(5) if m[1] == str(trade.order.orderId) and "Cancelled" in m]
    assert errors.text(202).startswith("Order Canceled - reason:")
    last_status = max(i for i, m in enumerate(spy.messages) if m[0] == "3")
    first_202 = min(i for i, m in enumerate(spy.messages) if m[0] == "4" and m[3] == "202")
    assert first_202 > last_status  # TWS sends the status, then the error


async def test_global_cancel_cancels_every_working_order(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    trades = [await placed(ib, aapl, LimitOrder("BUY", 100, p), "Submitted") for p in (99, 98)]
    spy = WireSpy(ib)
    ib.reqGlobalCancel()
    for trade in trades:
        await wait_status(trade, "Cancelled")
    assert sim.traffic.global_cancels == 1
    # recorded: each order Cancelled then 202, no PendingCancel and no openOrder
    assert [m[0] for m in spy.messages if m[0] in ("3", "4", "5")] == ["3", "4"] * 2


# ---- refusals ----------------------------------------------------------------------------------
async def test_off_tick_price_gets_110(ib: IB, aapl: Contract) -> None:
    errors = ErrorLog(ib)
    trade = ib.placeOrder(aapl, LimitOrder("BUY", 100, 99.005))
    await wait_until(lambda: 110 in errors.codes(trade.order.orderId), "error 110")
    assert "minimum price variation" in errors.text(110)
    await wait_until(trade.isDone, "the refused order to be done")
    assert trade.fills == []


@pytest.mark.parametrize(
    "order",
    [
        LimitOrder("BUY", -5, 99.00),
        LimitOrder("BUY", 100, -1.00),
    ],
    ids=["negative-quantity", "negative-price"],
)
async def test_refused_order_gets_201_and_goes_inactive(
    ib: IB, aapl: Contract, order: Order
) -> None:
    errors = ErrorLog(ib)
    trade = ib.placeOrder(aapl, order)
    await wait_until(lambda: 201 in errors.codes(trade.order.orderId), "error 201")
    assert errors.text(201).startswith("Order rejected - reason:")
    await wait_until(trade.isDone, "the refused order to be done")


async def test_an_unknown_order_type_gets_321_alone(ib: IB, aapl: Contract) -> None:
    spy, errors = WireSpy(ib), ErrorLog(ib)
    trade = ib.placeOrder(aapl, Order(action="BUY", totalQuantity=100, orderType="NOSUCHTYPE"))
    await wait_until(lambda: 321 in errors.codes(trade.order.orderId), "error 321")
    await settle(ib)
    assert "Invalid order type was entered" in errors.text(321)
    assert not [m for m in spy.messages if m[0] in ("3", "5")]  # no openOrder, no status


async def test_order_type_the_contract_does_not_support_gets_387_alone(
    ib: IB, es_front: Contract
) -> None:
    spy, errors = WireSpy(ib), ErrorLog(ib)
    [es] = await ib.qualifyContractsAsync(es_front)
    trade = ib.placeOrder(es, Order(action="BUY", totalQuantity=1, orderType="MOC"))
    await wait_until(lambda: 387 in errors.codes(trade.order.orderId), "error 387")
    await settle(ib)
    assert errors.text(387) == "Unsupported order type for this exchange and security type."
    assert not [m for m in spy.messages if m[0] in ("3", "5")]


async def test_reusing_an_id_after_cancel_gets_103(ib: IB, aapl: Contract) -> None:
    errors = ErrorLog(ib)
    trade = await placed(ib, aapl, LimitOrder("BUY", 100, 99.00), "Submitted")
    ib.cancelOrder(trade.order)
    await wait_status(trade, "Cancelled")
    # ib.placeOrder refuses to reuse a done trade's id, so go one layer down, as a bug would
    ib.client.placeOrder(trade.order.orderId, aapl, LimitOrder("BUY", 10, 98.00))
    await wait_until(lambda: 103 in errors.codes(trade.order.orderId), "error 103")
    assert errors.text(103) == "Duplicate order id"


async def test_cancel_of_an_unknown_order_gets_10147(ib: IB) -> None:
    errors = ErrorLog(ib)
    ib.client.cancelOrder(424242, "")
    await wait_until(lambda: 10147 in errors.codes(424242), "error 10147")
    assert errors.text(10147) == "OrderId 424242 that needs to be cancelled is not found."


async def test_cancel_of_a_filled_order_gets_10148(ib: IB, aapl: Contract) -> None:
    errors = ErrorLog(ib)
    trade = await placed(ib, aapl, MarketOrder("BUY", 10), "Filled")
    ib.cancelOrder(trade.order)
    order_id = trade.order.orderId
    await wait_until(lambda: 10148 in errors.codes(order_id), "error 10148")
    assert errors.text(10148) == (
        f"OrderId {order_id} that needs to be cancelled cannot be cancelled, state: Filled."
    )


async def test_modify_of_a_filled_order_gets_104(ib: IB, aapl: Contract) -> None:
    errors = ErrorLog(ib)
    trade = await placed(ib, aapl, MarketOrder("BUY", 10), "Filled")
    ib.client.placeOrder(trade.order.orderId, aapl, LimitOrder("BUY", 10, 99.00))
    await wait_until(lambda: 104 in errors.codes(trade.order.orderId), "error 104")
    assert trade.orderStatus.status == "Filled"


async def test_cancelling_a_bracket_parent_cancels_its_children(ib: IB, aapl: Contract) -> None:
    bracket = ib.bracketOrder("BUY", 100, 99.00, takeProfitPrice=101.00, stopLossPrice=98.00)
    parent, profit, loss = (ib.placeOrder(aapl, o) for o in bracket)
    await wait_status(loss, "PreSubmitted")
    ib.cancelOrder(parent.order)
    for trade in (parent, profit, loss):
        await wait_status(trade, "Cancelled")


# ---- other instruments -------------------------------------------------------------------------
async def test_future_fills_with_its_multiplier_in_the_cost(
    sim: Simulator, ib: IB, es_front: Contract
) -> None:
    [es] = await ib.qualifyContractsAsync(es_front)
    sim.set_quote(es.localSymbol, 5400.00, 5400.25)
    off_tick = ib.placeOrder(es, LimitOrder("BUY", 1, 5400.10))
    await wait_until(off_tick.isDone, "the off-tick ES order to be refused")
    trade = await placed(ib, es, MarketOrder("BUY", 2), "Filled")
    assert trade.orderStatus.avgFillPrice == 5400.25
    await wait_until(lambda: ib.positions(), "the ES position")
    [position] = [p for p in ib.positions() if p.contract.conId == es.conId]
    assert position.avgCost == pytest.approx(5400.25 * 50 + 2.25)  # per contract, fees included


async def test_forex_trades_on_the_half_pip_grid(sim: Simulator, ib: IB, eurusd: Contract) -> None:
    [pair] = await ib.qualifyContractsAsync(eurusd)
    sim.set_quote("EUR.USD", 1.08735, 1.08740)
    errors = ErrorLog(ib)
    off_tick = ib.placeOrder(pair, LimitOrder("BUY", 20_000, 1.08737))
    await wait_until(lambda: 110 in errors.codes(off_tick.order.orderId), "error 110")
    trade = await placed(ib, pair, LimitOrder("BUY", 20_000, 1.08740), "Filled")
    assert trade.orderStatus.avgFillPrice == 1.08740
    await wait_until(lambda: trade.fills[-1].commissionReport.execId, "the commission report")
    assert trade.fills[-1].commissionReport.commission == pytest.approx(2.00)  # IB's FX minimum
