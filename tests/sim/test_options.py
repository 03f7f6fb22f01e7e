"""Options through a real socket with ib_async: the chain (reqSecDefOptParams, then contract
details), OCC symbols, the option tick rule, quotes with greeks priced from the underlying, fills
with IB's per-contract commission, positions and values, what-if margin; ES options (FOP, 50)."""

from __future__ import annotations

import pytest
from ib_async import IB, Contract, FuturesOption, LimitOrder, MarketOrder, Option, Stock

from ib_blotter.sim.simulator import Simulator

from .conftest import ErrorLog, settle, wait_status, wait_until

ACCOUNT = "DU1234567"


async def aapl_chain(ib: IB) -> tuple[list[str], list[float]]:
    [chain] = [c for c in await ib.reqSecDefOptParamsAsync("AAPL", "", "STK", 265598)
               if c.exchange == "SMART"]
    return sorted(chain.expirations), sorted(chain.strikes)


async def aapl_call(ib: IB, sim: Simulator) -> Contract:
    """The monthly 190 call, AAPL at 187.50 / 187.52."""
    sim.set_quote("AAPL", 187.50, 187.52)
    expiries, _ = await aapl_chain(ib)
    [call] = await ib.qualifyContractsAsync(Option("AAPL", expiries[-1], 190, "C", "SMART"))
    return call


async def test_the_chain_lists_weeklies_monthlies_and_strikes_around_the_money(ib: IB) -> None:
    chains = await ib.reqSecDefOptParamsAsync("AAPL", "", "STK", 265598)
    assert {c.exchange for c in chains} >= {"SMART", "CBOE"}
    smart = next(c for c in chains if c.exchange == "SMART")
    assert (int(smart.underlyingConId), smart.tradingClass, smart.multiplier) == (265598, "AAPL",
                                                                             "100")
    expiries, strikes = sorted(smart.expirations), sorted(smart.strikes)
    assert len(expiries) >= 6  # four weeklies and three monthlies, some the same Friday
    assert strikes[:2] == [157.5, 160.0] and 187.5 in strikes  # 2.50 apart around 187.50
    assert await ib.reqSecDefOptParamsAsync("SAP", "", "STK", 900000101) == []


async def test_contract_details_of_an_option(ib: IB) -> None:
    expiries, _ = await aapl_chain(ib)
    monthly = expiries[-1]
    [details] = await ib.reqContractDetailsAsync(Option("AAPL", monthly, 190, "C", "SMART"))
    c = details.contract
    assert c.localSymbol == f"AAPL  {monthly[2:]}C00190000"
    assert (c.multiplier, c.tradingClass, c.currency, c.secType) == ("100", "AAPL", "USD", "OPT")
    assert (details.underConId, details.minTick) == (265598, 0.01)
    rule = int(details.marketRuleIds.split(",")[0])
    increments = await ib.reqMarketRuleAsync(rule)
    assert [(i.lowEdge, i.increment) for i in increments] == [(0.0, 0.01), (3.0, 0.05)]
    every_strike = await ib.reqContractDetailsAsync(Option("AAPL", monthly, exchange="SMART"))
    assert len(every_strike) == 2 * 25
    [by_occ] = await ib.reqContractDetailsAsync(
        Option(localSymbol=c.localSymbol, exchange="SMART"))
    assert by_occ.contract.conId == c.conId


def test_the_console_finds_an_option_by_its_occ_symbol_without_spaces(sim: Simulator) -> None:
    option = next(i for i in sim.universe.instruments if i.contract.secType == "OPT")
    assert " " in option.contract.localSymbol
    squeezed = option.contract.localSymbol.replace(" ", "")
    assert sim.instrument_id(squeezed) == option.contract.conId


async def test_quotes_and_greeks_follow_the_underlying(ib: IB, sim: Simulator) -> None:
    call = await aapl_call(ib, sim)
    ticker = ib.reqMktData(call)
    await wait_until(lambda: ticker.modelGreeks is not None and ticker.bid > 0, "greeks")
    greeks = ticker.modelGreeks
    assert greeks is not None
    assert 0.3 < greeks.delta < 0.6 and greeks.gamma > 0 and greeks.theta < 0
    assert greeks.undPrice == pytest.approx(187.51)
    assert 0.2 < greeks.impliedVol < 0.4
    assert ticker.bid < greeks.optPrice < ticker.ask
    assert ticker.bidGreeks is not None and ticker.askGreeks is not None
    before = ticker.bid
    sim.set_quote("AAPL", 195.00, 195.02)  # the underlying jumps: the call is worth more
    await wait_until(lambda: ticker.bid > before + 3, "the call to reprice")
    assert ticker.modelGreeks.delta > greeks.delta


async def test_an_option_fills_with_ibs_per_contract_commission(ib: IB, sim: Simulator) -> None:
    call = await aapl_call(ib, sim)
    trade = ib.placeOrder(call, MarketOrder("BUY", 2, account=ACCOUNT))
    await wait_status(trade, "Filled")
    await wait_until(lambda: all(f.commissionReport.execId for f in trade.fills), "commission")
    ask = sim.market.quote(call.conId).ask
    assert trade.orderStatus.avgFillPrice == pytest.approx(ask)
    assert sum(f.commissionReport.commission for f in trade.fills) == pytest.approx(1.30)
    [position] = [p for p in await ib.reqPositionsAsync() if p.contract.conId == call.conId]
    assert position.position == 2
    assert position.avgCost == pytest.approx(ask * 100 + 0.65)
    assert position.contract.localSymbol == call.localSymbol
    one = ib.placeOrder(call, MarketOrder("SELL", 1, account=ACCOUNT))
    await wait_status(one, "Filled")
    await wait_until(lambda: one.fills and one.fills[0].commissionReport.execId, "commission")
    assert one.fills[0].commissionReport.commission == 1.00  # IB's minimum per order


async def test_a_resting_option_order_is_modified_cancelled_and_kept_on_the_tick_rule(
    ib: IB, sim: Simulator
) -> None:
    call = await aapl_call(ib, sim)
    errors = ErrorLog(ib)
    off = ib.placeOrder(call, LimitOrder("BUY", 1, 3.52))  # 0.05s from 3.00
    penny = ib.placeOrder(call, LimitOrder("BUY", 1, 2.99))  # 0.01s below 3.00
    await wait_status(penny, "Submitted")
    await settle(ib)
    assert errors.codes(off.order.orderId) == [110]
    penny.order.lmtPrice = 3.05
    ib.placeOrder(call, penny.order)
    await wait_until(lambda: any(e.message == "Modified" for e in penny.log), "modified")
    ib.cancelOrder(penny.order)
    await wait_status(penny, "Cancelled")


async def test_a_resting_option_buy_fills_when_the_underlying_drops(
    ib: IB, sim: Simulator
) -> None:
    call = await aapl_call(ib, sim)
    bid = sim.market.quote(call.conId).bid
    limit = round(bid - 1.0, 2) if bid - 1.0 < 3 else round((bid - 1.0) * 20) / 20
    trade = ib.placeOrder(call, LimitOrder("BUY", 1, limit))
    await wait_status(trade, "Submitted")
    sim.set_quote("AAPL", 180.00, 180.02)
    await wait_status(trade, "Filled")
    assert trade.orderStatus.avgFillPrice == limit


async def test_what_if_margin_long_premium_needs_none_a_short_call_does(
    ib: IB, sim: Simulator
) -> None:
    call = await aapl_call(ib, sim)
    long = await ib.whatIfOrderAsync(call, MarketOrder("BUY", 1, account=ACCOUNT))
    short = await ib.whatIfOrderAsync(call, MarketOrder("SELL", 1, account=ACCOUNT))
    assert float(long.initMarginChange) == 0.0
    assert float(short.initMarginChange) > 1000  # a 15% rally on 100 shares
    assert long.commission == 1.00  # 0.65 a contract, 1.00 an order at least


async def test_options_value_in_the_account(sim: Simulator, connect: object) -> None:
    ib = await connect(1, account=ACCOUNT)  # type: ignore[operator]
    call = await aapl_call(ib, sim)
    trade = ib.placeOrder(call, MarketOrder("BUY", 3, account=ACCOUNT))
    await wait_status(trade, "Filled")
    quote = sim.market.quote(call.conId)
    await wait_until(lambda: any(v.tag == "OptionMarketValue" and float(v.value)
                                 for v in ib.accountValues(ACCOUNT)), "the option value")
    value = next(float(v.value) for v in ib.accountValues(ACCOUNT)
                 if v.tag == "OptionMarketValue" and v.currency == "USD")
    assert value == pytest.approx(3 * 100 * quote.mid, abs=0.01)
    [line] = [p for p in ib.portfolio(ACCOUNT) if p.contract.conId == call.conId]
    assert line.marketPrice == pytest.approx(quote.mid)


async def test_es_options_are_futures_options_of_fifty(ib: IB, es_front: object) -> None:
    [future] = await ib.qualifyContractsAsync(es_front)  # type: ignore[arg-type]
    chains = await ib.reqSecDefOptParamsAsync("ES", "CME", "FUT", future.conId)
    assert "ES" in {c.tradingClass for c in chains}
    quarterly = next(c for c in chains if c.tradingClass == "ES")
    assert (quarterly.exchange, quarterly.multiplier) == ("CME", "50")
    assert quarterly.expirations == [future.lastTradeDateOrContractMonth]
    strike = sorted(quarterly.strikes)[12]
    [details] = await ib.reqContractDetailsAsync(FuturesOption(
        "ES", quarterly.expirations[0], strike, "P", "CME", tradingClass="ES"))
    c = details.contract
    assert (c.secType, c.multiplier, details.underConId) == ("FOP", "50", future.conId)
    assert c.localSymbol == f"ES{future.localSymbol[2:]} P{strike:g}"
    increments = await ib.reqMarketRuleAsync(int(details.marketRuleIds))
    assert [(i.lowEdge, i.increment) for i in increments] == [(0.0, 0.05), (5.0, 0.25)]
    trade = ib.placeOrder(c, MarketOrder("BUY", 1))
    await wait_status(trade, "Filled")
    await wait_until(lambda: trade.fills and trade.fills[0].commissionReport.execId, "fee")
    assert trade.fills[0].commissionReport.commission == pytest.approx(2.25)


async def test_stock_lookups_still_find_only_the_stock(ib: IB) -> None:
    [details] = await ib.reqContractDetailsAsync(Stock("AAPL", "SMART", "USD"))
    assert details.contract.secType == "STK"
    found = await ib.reqMatchingSymbolsAsync("AAPL")
    assert found is not None
    assert [d.contract.secType for d in found] == ["STK"]
