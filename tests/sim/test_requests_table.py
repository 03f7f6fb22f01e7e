"""One request table: each message id bound to the `incoming` parser the codec tests check, and
nothing waits for a time-out: a request the simulator does not serve is refused at once, tied
to its request id. The requests added with the table (market rules, matching symbols, news
bulletins, tick-by-tick, the wider account summary) and the smaller fidelity fixes, end to end."""

from __future__ import annotations

import asyncio
import inspect

import pytest
from ib_async import IB, Contract, Forex, MarketOrder, Stock

from ib_blotter.sim import incoming
from ib_blotter.sim.requests import REQUESTS
from ib_blotter.sim.simulator import Simulator

from .conftest import ErrorLog, WireSpy, settle, wait_until

# parsers that read a block of a request, or the handshake, rather than a whole request
NOT_REQUESTS = {"parse_contract", "parse_start_api"}


def test_every_handler_runs_an_incoming_parser_and_every_parser_runs() -> None:
    parsers = {name for name, fn in inspect.getmembers(incoming, inspect.isfunction)
               if name.startswith("parse_")}
    bound = {entry.parse.__name__ for entry in REQUESTS.values()}
    assert all(getattr(incoming, name, None) is not None for name in bound)
    assert parsers - NOT_REQUESTS - bound == set(), "a tested parser that nothing runs"


def test_the_table_and_the_refusals_do_not_overlap() -> None:
    assert not set(REQUESTS) & set(incoming.NOT_SIMULATED)
    assert not set(REQUESTS) & incoming.QUIET_CANCELS


async def test_historical_data_is_refused_at_once_not_left_to_time_out(
    ib: IB, aapl: Contract
) -> None:
    spy = WireSpy(ib)
    bars = await asyncio.wait_for(
        ib.reqHistoricalDataAsync(aapl, "", "1 D", "1 min", "TRADES", True, timeout=0), 2.0
    )
    assert len(bars) == 0
    errors = [m for m in spy.of(4) if m[3] == "320"]
    [error] = errors
    assert int(error[2]) > 0 and "reqHistoricalData is not simulated" in error[4]


async def test_a_request_without_an_id_is_refused_with_minus_one(ib: IB) -> None:
    errors = ErrorLog(ib)
    ib.client.reqScannerParameters()
    await settle(ib)
    assert (-1, 320) in [(r, c) for r, c, _ in errors.entries]


async def test_market_rule_the_details_advertise(ib: IB, aapl: Contract) -> None:
    [details] = await ib.reqContractDetailsAsync(aapl)
    rule = int(details.marketRuleIds.split(",")[0])
    [increment] = await asyncio.wait_for(ib.reqMarketRuleAsync(rule), 2.0)
    assert (increment.lowEdge, increment.increment) == (0.0, 0.01)


async def test_matching_symbols(ib: IB) -> None:
    found = await asyncio.wait_for(ib.reqMatchingSymbolsAsync("AA"), 2.0)
    assert found is not None
    assert [d.contract.symbol for d in found] == ["AAPL"]
    assert found[0].contract.primaryExchange == "NASDAQ"


async def test_news_bulletins_are_accepted_quietly(ib: IB) -> None:
    errors = ErrorLog(ib)
    ib.reqNewsBulletins(True)
    await settle(ib)
    ib.cancelNewsBulletins()
    await settle(ib)
    assert errors.entries == []


@pytest.mark.parametrize("kind", ["BidAsk", "Last"])
async def test_tick_by_tick(sim: Simulator, ib: IB, aapl: Contract, kind: str) -> None:
    seen: list[object] = []
    ib.pendingTickersEvent += lambda tickers: seen.extend(
        tick for t in tickers for tick in t.tickByTicks)
    ib.reqTickByTickData(aapl, kind)
    await wait_until(lambda: seen, f"a {kind} tick")
    sim.set_quote("AAPL", 100.10, 100.11, last=100.10)
    sim.publish_quotes()
    price = "bidPrice" if kind == "BidAsk" else "price"
    await wait_until(lambda: getattr(seen[-1], price) == 100.10, "the next tick")
    tick = seen[-1]
    if kind == "BidAsk":
        assert (tick.bidPrice, tick.askPrice) == (100.10, 100.11)  # type: ignore[attr-defined]
    else:
        assert tick.exchange == "ISLAND"  # type: ignore[attr-defined]
    ib.cancelTickByTickData(aapl, kind)


async def test_account_summary_has_ibs_common_tags(ib: IB) -> None:
    summary = await ib.accountSummaryAsync()
    tags = {v.tag for v in summary}
    assert {"AccruedCash", "Leverage", "SMA", "DayTradesRemaining", "FullAvailableFunds",
            "LookAheadAvailableFunds", "NetLiquidation"} <= tags


async def test_account_values_carry_the_base_currency(ib: IB) -> None:
    await wait_until(lambda: ib.accountValues(), "account values")
    base = {v.tag for v in ib.accountValues() if v.currency == "BASE"}
    assert {"NetLiquidationByCurrency", "CashBalance", "TotalCashBalance"} <= base


async def test_cash_fx_quotes_carry_no_trades(ib: IB) -> None:
    [eurusd] = await ib.qualifyContractsAsync(Forex("EURUSD"))
    ticker = ib.reqMktData(eurusd)
    await wait_until(lambda: ticker.bid == ticker.bid and ticker.bid > 0, "a bid")
    await settle(ib)
    assert ticker.last != ticker.last  # nan: IB sends no trades for cash FX
    assert ticker.close > 0


async def test_ambiguous_market_data_request_says_so(ib: IB) -> None:
    errors = ErrorLog(ib)
    es = Contract(symbol="ES", secType="FUT", exchange="CME", currency="USD")
    ib.client.reqMktData(ib.client.getReqId(), es, "", False, False, [])
    await wait_until(lambda: 200 in errors.codes(), "error 200")
    assert "is ambiguous" in errors.text(200)


async def test_positions_name_the_primary_exchange(sim: Simulator, ib: IB,
                                                   aapl: Contract) -> None:
    ib.placeOrder(aapl, MarketOrder("BUY", 10))
    await wait_until(lambda: ib.positions(), "a position")
    [position] = ib.positions()
    assert position.contract.exchange == "NASDAQ"


async def test_stocks_trade_in_fractions_at_ib_but_not_through_the_api(ib: IB) -> None:
    [details] = await ib.reqContractDetailsAsync(Stock("AAPL", "SMART", "USD"))
    assert (details.minSize, details.sizeIncrement, details.suggestedSizeIncrement) == (
        0.0001, 0.0001, 100)
