"""The built-in universe as contract requests see it: stocks, ES futures, EUR.USD, unknowns."""

from __future__ import annotations

from ib_async import IB, Contract, Forex, Future, Stock

from ib_blotter.sim.simulator import Simulator

from .conftest import ErrorLog


async def test_stocks_qualify_with_their_primary_exchange(sim: Simulator, ib: IB) -> None:
    stocks = [Stock(s, "SMART", "USD") for s in ("AAPL", "MSFT", "SPY")]
    qualified = await ib.qualifyContractsAsync(*stocks)
    assert [c.conId for c in qualified] == [265598, 272093, 756733]
    assert [c.primaryExchange for c in qualified] == ["NASDAQ", "NASDAQ", "ARCA"]


async def test_stock_details_have_penny_tick(ib: IB) -> None:
    [details] = await ib.reqContractDetailsAsync(Stock("AAPL", "SMART", "USD"))
    assert details.minTick == 0.01
    assert details.longName == "APPLE INC"
    assert "LMT" in details.orderTypes.split(",")


async def test_future_with_a_month_qualifies(sim: Simulator, ib: IB, es_front: Future) -> None:
    [details] = await ib.reqContractDetailsAsync(es_front)
    front = next(i for i in sim.universe.instruments if i.contract.symbol == "ES")
    assert details.contract.conId == front.contract.conId
    assert details.contract.multiplier == "50"
    assert details.minTick == 0.25
    assert details.contractMonth == es_front.lastTradeDateOrContractMonth


async def test_future_without_a_month_is_ambiguous(ib: IB) -> None:
    details = await ib.reqContractDetailsAsync(Future("ES", exchange="CME"))
    assert len(details) == 2
    months = [d.contractMonth for d in details]
    assert months == sorted(months) and months[0] != months[1]
    assert await ib.qualifyContractsAsync(Future("ES", exchange="CME")) == [None]


async def test_forex_pair_qualifies_with_pip_fraction_tick(ib: IB) -> None:
    [details] = await ib.reqContractDetailsAsync(Forex("EURUSD"))
    assert details.contract.localSymbol == "EUR.USD"
    assert details.contract.secType == "CASH"
    assert details.minTick == 0.00005


async def test_unknown_contract_gets_error_200(ib: IB) -> None:
    errors = ErrorLog(ib)
    unknown = Stock("NOSUCH", "SMART", "USD")
    details = await ib.reqContractDetailsAsync(unknown)
    assert details == []
    assert 200 in errors.codes()
    assert errors.text(200) == "No security definition has been found for the request"


async def test_contract_by_con_id(ib: IB) -> None:
    [details] = await ib.reqContractDetailsAsync(Contract(conId=272093))
    assert details.contract.symbol == "MSFT"


async def test_overnight_sessions_open_the_day_before(ib: IB, es_front: Future) -> None:
    [details] = await ib.reqContractDetailsAsync(es_front)
    start, end = details.tradingHours.split(";")[0].split("-")
    assert start.endswith(":1700") and end.endswith(":1600")
    assert start.split(":")[0] < end.split(":")[0]  # opens the evening before it closes
