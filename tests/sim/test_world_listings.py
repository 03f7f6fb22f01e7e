"""Listings outside the US, through real sockets with ib_async and ibapi: SAP on XETRA (EUR),
Vodafone on the LSE (GBP, quoted in pence), Toyota on the TSE (JPY, 100-share lots). Their
details, tick rules and lots; commissions in the listing's currency; positions, portfolio and
account values by currency, with BASE and the exchange rates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from ib_async import IB, LimitOrder, MarketOrder, Stock, Trade

from ib_blotter.sim.simulator import Simulator

from .conftest import ErrorLog, settle, wait_status, wait_until
from .test_ibapi import Recorder, connected, market, ready

ACCOUNT = "DU1234567"
SAP = Stock("SAP", "SMART", "EUR")
VOD = Stock("VOD", "SMART", "GBP")
TOYOTA = Stock("7203", "SMART", "JPY")


@pytest.fixture
def fx(sim: Simulator) -> dict[str, float]:
    """The three exchange rates, at known mids."""
    sim.set_quote("EUR.USD", 1.10000, 1.10010)
    sim.set_quote("GBP.USD", 1.25000, 1.25010)
    sim.set_quote("USD.JPY", 150.000, 150.010)
    return {"EUR": 1.10005, "GBP": 1.25005, "JPY": 1 / 150.005}


async def filled(ib: IB, contract: Any, action: str, quantity: float) -> Trade:
    [qualified] = await ib.qualifyContractsAsync(contract)
    trade = ib.placeOrder(qualified, MarketOrder(action, quantity))
    await wait_status(trade, "Filled")
    await wait_until(lambda: all(f.commissionReport.execId for f in trade.fills),
                     "the commission reports")
    return trade


def values(ib: IB, tag: str) -> dict[str, float]:
    return {v.currency: float(v.value) for v in ib.accountValues(ACCOUNT) if v.tag == tag}


async def test_each_listing_has_its_exchange_currency_hours_and_lot(ib: IB) -> None:
    [sap] = await ib.reqContractDetailsAsync(SAP)
    assert (sap.contract.primaryExchange, sap.contract.currency, sap.contract.tradingClass) == (
        "IBIS", "EUR", "XETRA")
    assert (sap.timeZoneId, sap.priceMagnifier, sap.minSize) == ("MET", 1, 1)
    [vod] = await ib.reqContractDetailsAsync(VOD)
    assert (vod.contract.primaryExchange, vod.contract.currency, vod.priceMagnifier) == (
        "LSE", "GBP", 100)
    assert vod.timeZoneId == "Europe/London"
    [toyota] = await ib.reqContractDetailsAsync(TOYOTA)
    assert (toyota.contract.primaryExchange, toyota.contract.currency) == ("TSEJ", "JPY")
    assert (toyota.minSize, toyota.sizeIncrement, toyota.timeZoneId) == (100, 100, "Japan")
    assert toyota.tradingHours.count(";") == 1  # the morning and afternoon sessions
    # a US stock's lookup (SMART, USD) finds none of them: they are not US listings
    assert await ib.reqContractDetailsAsync(Stock("SAP", "SMART", "USD")) == []


async def test_the_tick_rule_depends_on_the_price(ib: IB, sim: Simulator) -> None:
    [sap] = await ib.reqContractDetailsAsync(SAP)
    rule_id = int(sap.marketRuleIds.split(",")[0])
    increments = await ib.reqMarketRuleAsync(rule_id)
    assert [(i.lowEdge, i.increment) for i in increments][3:5] == [(100.0, 0.02), (200.0, 0.05)]
    errors = ErrorLog(ib)
    [contract] = await ib.qualifyContractsAsync(SAP)
    off_grid = ib.placeOrder(contract, LimitOrder("BUY", 10, 238.47))  # 0.05 above 200
    below = ib.placeOrder(contract, LimitOrder("BUY", 10, 199.98))  # 0.02 below 200
    await wait_status(below, "Submitted")
    await settle(ib)
    assert errors.codes(off_grid.order.orderId) == [110]
    assert errors.codes(below.order.orderId) == []


async def test_toyota_trades_in_lots_of_100(ib: IB) -> None:
    errors = ErrorLog(ib)
    [contract] = await ib.qualifyContractsAsync(TOYOTA)
    odd = ib.placeOrder(contract, LimitOrder("BUY", 50, 2800.0))
    await wait_status(odd, "Inactive")
    assert errors.codes(odd.order.orderId) == [201]
    assert "multiple of the trading lot of 100" in errors.text(201)
    lot = ib.placeOrder(contract, LimitOrder("BUY", 200, 2800.0))
    await wait_status(lot, "Submitted")


async def test_commissions_are_in_the_listings_currency(
    ib: IB, sim: Simulator, fx: dict[str, float]
) -> None:
    sim.set_quote("SAP", 238.45, 238.50, size=5000)
    sim.set_quote("VOD", 71.20, 71.24, size=5000)
    sim.set_quote("7203", 2856.0, 2856.5, size=5000)
    reports = []
    for contract, quantity in ((SAP, 10), (VOD, 1000), (TOYOTA, 100)):
        trade = await filled(ib, contract, "BUY", quantity)
        reports += [(f.commissionReport.commission, f.commissionReport.currency)
                    for f in trade.fills]
    # 0.05% with EUR 3 and GBP 3 minimums; 0.08% of JPY 285,650 rounded to the yen
    assert reports == [(3.00, "EUR"), (3.00, "GBP"), (229.0, "JPY")]


async def test_pence_quotes_and_pound_values(
    sim: Simulator, connect: Any, fx: dict[str, float]
) -> None:
    sim.set_quote("VOD", 71.20, 71.24, size=5000)
    ib = await connect(1, account=ACCOUNT)
    trade = await filled(ib, VOD, "BUY", 1000)
    assert trade.fills[0].execution.price == 71.24  # pence, as the market data
    await wait_until(lambda: ib.portfolio(ACCOUNT), "the portfolio line")
    [line] = ib.portfolio(ACCOUNT)
    assert (line.marketPrice, line.marketValue) == (71.24, pytest.approx(712.40))  # p and £
    assert line.averageCost == pytest.approx(0.7124 + 3.00 / 1000)  # pounds, fees included
    [position] = [p for p in await ib.reqPositionsAsync() if p.contract.symbol == "VOD"]
    assert (position.contract.exchange, position.contract.currency) == ("LSE", "GBP")
    assert position.avgCost == pytest.approx(0.7154)


async def test_account_values_by_currency_with_base_and_rates(
    sim: Simulator, connect: Any, fx: dict[str, float]
) -> None:
    sim.set_quote("SAP", 238.45, 238.50, size=5000)
    sim.set_quote("7203", 2856.0, 2856.5, size=5000)
    ib = await connect(1, account=ACCOUNT)
    await filled(ib, SAP, "BUY", 10)
    await filled(ib, TOYOTA, "BUY", 100)
    await wait_until(lambda: "JPY" in values(ib, "CashBalance"), "the JPY balance")
    cash = values(ib, "CashBalance")
    assert cash["USD"] == 1_000_000.00
    assert cash["EUR"] == pytest.approx(-(2385.00 + 3.00))
    assert cash["JPY"] == pytest.approx(-(285_650 + 229))
    assert cash["BASE"] == pytest.approx(
        1_000_000 - 2388.00 * fx["EUR"] - 285_879 * fx["JPY"], abs=0.01)
    rates = values(ib, "ExchangeRate")
    assert rates["EUR"] == pytest.approx(fx["EUR"])
    assert rates["JPY"] == pytest.approx(fx["JPY"])
    assert (rates["USD"], rates["BASE"]) == (1.0, 1.0)
    assert values(ib, "StockMarketValue")["EUR"] == pytest.approx(2385.00)
    currencies = {v.value for v in ib.accountValues(ACCOUNT) if v.tag == "Currency"}
    assert currencies == {"USD", "EUR", "JPY", "BASE"}
    # the account's own figures are in the base currency: only the fees were lost
    lost = 3.00 * fx["EUR"] + 229 * fx["JPY"]
    assert values(ib, "NetLiquidation")["USD"] == pytest.approx(1_000_000 - lost, abs=0.01)


async def test_ledger_summary_per_currency(ib: IB, sim: Simulator, fx: dict[str, float]) -> None:
    sim.set_quote("SAP", 238.45, 238.50, size=5000)
    await filled(ib, SAP, "BUY", 10)
    rows = await ib.accountSummaryAsync(ACCOUNT)  # ib_async asks for $LEDGER:ALL among its tags
    ledger = {(r.tag, r.currency): float(r.value) for r in rows if r.currency}
    assert ledger[("CashBalance", "EUR")] == pytest.approx(-2388.00)
    assert ledger[("CashBalance", "USD")] == 1_000_000.00
    assert ledger[("CashBalance", "BASE")] == pytest.approx(1_000_000 - 2388.00 * fx["EUR"])
    assert ledger[("NetLiquidation", "USD")] > 0


class LedgerRecorder(Recorder):
    def __init__(self) -> None:
        super().__init__()
        self.account_values: dict[tuple[str, str], str] = {}
        self.portfolio: list[tuple[Any, Decimal, float, float, float]] = []

    def updateAccountValue(self, key: str, val: str, currency: str, accountName: str) -> None:
        self.account_values[(key, currency)] = val

    def updatePortfolio(self, contract: Any, position: Decimal, marketPrice: float,
                        marketValue: float, averageCost: float, *rest: Any) -> None:
        self.portfolio.append((contract, position, marketPrice, marketValue, averageCost))


async def test_ibapi_reads_listings_positions_and_values(
    sim: Simulator, fx: dict[str, float]
) -> None:
    sim.set_quote("VOD", 71.20, 71.24, size=5000)
    async with connected(sim, LedgerRecorder()) as api:
        rec = await ready(api)
        assert isinstance(rec, LedgerRecorder)
        contract = _api_stock("VOD", "GBP")
        api.reqContractDetails(3, contract)
        await wait_until(lambda: 3 in rec.details_ended, "contractDetailsEnd")
        assert rec.details[3][0].priceMagnifier == 100
        order_id = rec.next_id
        api.placeOrder(order_id, contract, market("BUY", 1000))
        await wait_until(lambda: rec.status_of(order_id) == "Filled", "Filled")
        await wait_until(lambda: rec.commissions, "the commission")
        assert (rec.commissions[0].commissionAndFees, rec.commissions[0].currency) == (3.0, "GBP")
        api.reqAccountUpdates(True, ACCOUNT)
        await wait_until(lambda: rec.portfolio, "the portfolio")
        api.reqPositions()
        await wait_until(lambda: rec.positions_ended, "positionEnd")
        _, held, position, avg_cost = rec.positions[-1]
        assert (held.symbol, held.currency, position) == ("VOD", "GBP", Decimal(1000))
        assert avg_cost == pytest.approx(0.7154)
        await wait_until(lambda: ("CashBalance", "GBP") in rec.account_values, "GBP cash")
        assert float(rec.account_values[("CashBalance", "GBP")]) == pytest.approx(-715.40)
        assert float(rec.account_values[("ExchangeRate", "GBP")]) == pytest.approx(fx["GBP"])
        api.reqAccountUpdates(False, ACCOUNT)


def _api_stock(symbol: str, currency: str) -> Any:
    from ibapi.contract import Contract

    contract = Contract()
    contract.symbol, contract.secType, contract.exchange, contract.currency = (
        symbol, "STK", "SMART", currency)
    return contract
