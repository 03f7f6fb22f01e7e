"""Listings outside the US in the state (issue 15, points 2 and 3): a tick rule that depends on
the price, lots, notional with multipliers and pence, value limits in the base currency, and
the account's base figures."""

from __future__ import annotations

import pytest

from ib_blotter.state.contract_rules import price_problem, quantity_problem
from ib_blotter.state.gate import Action, Request, Situation, decide
from ib_blotter.state.limits import Limits, breaches
from ib_blotter.state.money import Rates, notional
from ib_blotter.state.order_changes import nudged
from ib_blotter.state.portfolio import PortfolioState
from ib_blotter.state.prices import Grid, format_price, nudge, tick_at, to_decimal
from ib_blotter.state.records import ContractSpec, OrderRow, OrderSpec, Quote

# XETRA's bands as IB's market rule sends them (the simulator's rule 901)
XETRA = ((0.0, 0.001), (10.0, 0.005), (50.0, 0.01), (100.0, 0.02), (200.0, 0.05), (500.0, 0.1))
SAP = ContractSpec(symbol="SAP", min_tick=0.001, price_rule=XETRA, currency="EUR")
VOD = ContractSpec(symbol="VOD", min_tick=0.01, currency="GBP", price_magnifier=100)
TOYOTA = ContractSpec(symbol="7203", min_tick=0.1, currency="JPY", size_increment=100,
                      min_size=100)
RATES = Rates("USD", {"USD": 1.0, "EUR": 1.1, "GBP": 1.25, "JPY": 1 / 150})


def buy(quantity: float, limit: float) -> OrderSpec:
    return OrderSpec(side="BUY", quantity=quantity, order_type="LMT", limit=limit)


def test_the_tick_is_the_rules_at_the_price() -> None:
    assert [tick_at(p, SAP.min_tick, XETRA) for p in (5, 10, 99.99, 100, 238.45, 500)] == [
        0.001, 0.005, 0.01, 0.02, 0.05, 0.1]
    assert price_problem(to_decimal(238.45), SAP) == ""
    assert price_problem(to_decimal(199.98), SAP) == ""
    assert price_problem(to_decimal(238.47), SAP) == (
        "Price must be a multiple of 0.05 from 200 to 500")
    assert price_problem(to_decimal(600.05), SAP) == "Price must be a multiple of 0.1 from 500 up"


def test_a_price_shows_the_decimals_of_its_band() -> None:
    assert [format_price(p, Grid(0.001, XETRA)) for p in (238.45, 99.5, 5.123)] == [
        "238.45", "99.50", "5.123"]


def test_the_gate_refuses_an_order_off_the_rule() -> None:
    decision = decide(Request(Action.PLACE, buy(10, 238.47), SAP), Situation(connected=True))
    assert decision.problems == (("limit", "Price must be a multiple of 0.05 from 200 to 500"),)


def test_a_nudge_crosses_a_band_on_the_grid_of_each_side() -> None:
    assert nudge(199.98, 1, 0.001, XETRA) == 200.00
    assert nudge(200.00, 1, 0.001, XETRA) == 200.05
    assert nudge(200.00, -1, 0.001, XETRA) == 199.98
    assert nudge(238.45, -2, 0.001, XETRA) == 238.35
    row = OrderRow(order_id=1, perm_id=1, client_id=1, symbol="SAP", side="BUY", quantity=10,
                   order_type="LMT", status="Submitted", limit=238.45, min_tick=0.001,
                   price_rule=XETRA)
    assert nudged(row, 1).limit == 238.50


def test_toyota_trades_in_lots_of_100() -> None:
    assert quantity_problem(to_decimal(50), TOYOTA) == "Quantity must be a multiple of 100"
    assert quantity_problem(to_decimal(200), TOYOTA) == ""


def test_notional_counts_multipliers_and_pence() -> None:
    assert notional(buy(10, 238.45), SAP, 238.45) == pytest.approx(2384.50)
    assert notional(buy(1000, 71.24), VOD, 71.24) == pytest.approx(712.40)  # pence -> pounds
    es = ContractSpec(symbol="ESZ6", sec_type="FUT", min_tick=0.25, multiplier=50,
                      currency="USD")
    assert notional(buy(2, 5400.0), es, 5400.0) == 540_000


def test_a_value_limit_is_in_the_base_currency() -> None:
    limits = Limits(max_order_value=2500)
    [notice] = breaches(buy(10, 238.45), SAP, 238.45, limits, RATES)
    assert notice.text == "Value 2,623 USD (2,384 EUR) is over the limit of 2,500 USD"
    # 1,000 VOD at 71.24p is 712.40 GBP, 890.50 USD: within, though 71,240 "units" is not
    assert breaches(buy(1000, 71.24), VOD, 71.24, Limits(max_order_value=1000), RATES) == []
    # 100 Toyota at 2,856.5 JPY: 285,650 JPY, 1,904 USD
    assert breaches(buy(100, 2856.5), TOYOTA, 2856.5, Limits(max_order_value=2000), RATES) == []


def test_a_value_with_no_exchange_rate_is_not_checked_and_says_so() -> None:
    situation = Situation(connected=True, limits=Limits(max_order_value=2500),
                          quote=Quote(238.40, 238.45, 238.45), rates=Rates("USD", {}))
    decision = decide(Request(Action.PLACE, buy(10, 238.45), SAP), situation)
    assert decision.breaches == ()
    assert [n.text for n in decision.warnings] == [
        "Value not checked against the limit: no EUR/USD exchange rate from IB yet"]


def test_the_account_strip_takes_the_base_currency_figures() -> None:
    portfolio = PortfolioState()
    for tag, value, currency in (("NetLiquidation", "920000", "EUR"),
                                 ("AvailableFunds", "700000", "EUR"),
                                 ("CashBalance", "-2388", "EUR"),
                                 ("ExchangeRate", "1.00", "EUR"),
                                 ("ExchangeRate", "0.9091", "USD"),
                                 ("NetLiquidationByCurrency", "5", "USD")):
        portfolio.account_value("DU1", tag, value, currency)
    summary = portfolio.account("DU1")
    assert summary is not None
    assert (summary.net_liquidation, summary.available_funds, summary.currency) == (
        920_000, 700_000, "EUR")
    assert portfolio.rates("DU1") == Rates("EUR", {"EUR": 1.0, "USD": 0.9091})

