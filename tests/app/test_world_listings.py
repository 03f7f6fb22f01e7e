"""Listings outside the US by keyboard at 80x24, against the embedded simulator (issue 15, points
2 and 3): SAP on XETRA in EUR, Vodafone on the LSE in pence, Toyota in lots of 100."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ib_blotter.state.records import AccountSummary
from ib_blotter.ui.account_strip import describe
from ib_blotter.ui.fitted_line import FittedLine
from ib_blotter.ui.order_confirm_screen import OrderConfirmScreen

from .conftest import Blotter, sim_settings, start
from .test_order_depth import type_into
from .test_trading import placed, rows


def info(blotter: Blotter) -> str:
    return blotter.app.blotter.ticket.query_one("#ticket-info", FittedLine).plain


def strip(blotter: Blotter) -> str:
    return blotter.app.blotter.query_one("#account-strip", FittedLine).plain


def confirmation(blotter: Blotter) -> OrderConfirmScreen | None:
    screen = blotter.app.screen
    return screen if isinstance(screen, OrderConfirmScreen) else None


def confirmation_text(blotter: Blotter) -> str:
    screen = confirmation(blotter)
    assert screen is not None
    decision = screen.decision
    notices = [n.text for n in (*decision.warnings, *decision.breaches)]
    return "\n".join([str(getattr(screen.summary, "plain", screen.summary)), *notices])


@pytest.fixture
async def small() -> AsyncIterator[Blotter]:
    async for running in start(sim_settings(max_order_value=3000), size=(80, 24)):
        running.sim.set_quote("EUR.USD", 1.10000, 1.10010)
        running.sim.set_quote("GBP.USD", 1.25000, 1.25010)
        running.sim.set_quote("USD.JPY", 150.000, 150.010)
        yield running


async def look_up(blotter: Blotter, text: str) -> None:
    """From anywhere: the orders table first, so `n` is the key and not a letter typed."""
    blotter.app.blotter.orders.focus()
    await blotter.look_up(text)


async def order(blotter: Blotter, quantity: str, limit: str) -> None:
    await type_into(blotter, "quantity", quantity)
    await type_into(blotter, "limit", limit)
    await blotter.press("enter")


async def confirmed(blotter: Blotter, quantity: str, limit: str) -> str:
    """The order typed and entered: its confirmation's text."""
    await order(blotter, quantity, limit)
    await blotter.until(lambda: confirmation(blotter) is not None, "the confirmation")
    return confirmation_text(blotter)


async def test_sap_is_found_in_euros_and_priced_on_xetras_bands(small: Blotter) -> None:
    small.sim.set_quote("SAP", 238.40, 238.45, size=5000)
    await look_up(small, "SAP")
    found = small.app.blotter.ticket_desk.found
    assert found is not None and found.contract.currency == "EUR"
    await small.until(lambda: "EUR" in info(small), "the currency on the ticket's line")

    await order(small, "10", "238.47")
    await small.until(lambda: "0.05" in info(small), "the tick rule's error")
    assert "Price must be a multiple of 0.05 from 200 to 500" in info(small)
    assert confirmation(small) is None

    text = await confirmed(small, "10", "238.45")
    assert "BUY 10 SAP LMT 238.45  DAY" in text, text  # the decimals of 0.05, where it is
    # no EUR held yet, so IB has sent no EUR rate: the market's EUR.USD values it
    assert "Estimated notional: 2,384.50 EUR (about 2,623 USD)" in text, text
    assert "no EUR/USD exchange rate" not in text, text
    await small.press("y")
    await small.until(lambda: rows(small) and rows(small)[0].status == "Filled", "the fill")
    await small.until(lambda: "EUR" in small.app.portfolio.rates().per_unit, "IB's EUR rate")
    assert "238.45" in small.log_text() and "238.450" not in small.log_text()
    assert "BOT 10 SAP @ 238.45 EUR on " in small.log_text()  # not the account's USD

    text = await confirmed(small, "10", "238.45")
    assert "2,384.50 EUR (about 2,623 USD)" in text, text
    assert "no EUR/USD exchange rate" not in text, text
    await small.press("n")
    text = await confirmed(small, "12", "238.45")  # 2,861 EUR is 3,148 USD: over 3,000 USD
    assert "Value 3,148 USD (2,861 EUR) is over the limit of 3,000 USD" in text, text


async def test_a_listing_by_its_exchange(small: Blotter) -> None:
    await look_up(small, "SAP IBIS")
    found = small.app.blotter.ticket_desk.found
    assert found is not None
    assert (found.contract.primaryExchange, found.contract.currency) == ("IBIS", "EUR")
    await look_up(small, "VOD LSE")
    found = small.app.blotter.ticket_desk.found
    assert found is not None and found.contract.currency == "GBP"


async def test_vodafone_in_pence_is_worth_pounds(small: Blotter) -> None:
    small.sim.set_quote("VOD", 71.20, 71.24, size=5000)
    await look_up(small, "VOD")
    text = await confirmed(small, "1000", "71.20")
    # not £71.20
    assert "Estimated notional: 712.00 GBP (its prices are in pence; about 890 USD)" in text, text
    assert "over the limit" not in text, text
    await small.press("n")
    await confirmed(small, "1000", "71.24")
    await small.press("y")
    await small.until(lambda: "BOT 1,000 VOD" in small.log_text(), "the fill")
    assert "BOT 1,000 VOD @ 71.24 pence on " in small.log_text()


async def test_toyota_takes_lots_of_100_only(small: Blotter) -> None:
    small.sim.set_quote("7203", 2856.0, 2856.5, size=5000)
    await look_up(small, "7203")
    await order(small, "50", "2850")
    await small.until(lambda: "100" in info(small), "the lot's error")
    assert "Quantity must be a multiple of 100" in info(small)
    await confirmed(small, "100", "2850")
    assert "Estimated notional: 285,000.00 JPY" in confirmation_text(small)
    await small.press("y")
    await small.until(lambda: placed(small), "the order at the exchange")
    assert placed(small)[0].request.totalQuantity == 100


async def test_the_account_strip_is_in_the_base_currency(small: Blotter) -> None:
    await small.until(lambda: "NetLiq" in strip(small), "the account's figures")
    assert small.app.portfolio.rates().base == "USD"
    summary = small.app.portfolio.account(small.app.portfolio.accounts()[0].account)
    assert summary is not None and summary.currency == "USD"


async def test_quick_entry_names_a_listing_with_at(small: Blotter) -> None:
    small.sim.set_quote("SAP", 238.40, 238.45, size=5000)
    small.app.blotter.orders.focus()
    await small.press("colon")
    await small.type("b 10 sap@ibis 238.45 @DU1234567")
    await small.press("enter")
    await small.until(lambda: confirmation(small) is not None, "the confirmation")
    assert "Estimated notional: 2,384.50 EUR" in confirmation_text(small)
    await small.press("y")
    await small.until(lambda: placed(small), "the order at the exchange")
    assert placed(small)[0].contract.conId == 900000101


def test_the_strip_names_a_base_currency_other_than_dollars() -> None:
    def plain(summary: AccountSummary) -> str:
        return " ".join(item.text.plain for item in describe(summary, "DU1", False))

    assert "(EUR)" in plain(AccountSummary("DU1", net_liquidation=920_000, currency="EUR"))
    assert "USD" not in plain(AccountSummary("DU1", net_liquidation=1_000_000))


async def test_the_first_order_in_a_new_currency_is_valued_at_the_market_rate(
        small: Blotter) -> None:
    """IB sends an exchange rate among the account values only for a currency the account
    holds: before the first SAP fill there is none, and the market's EUR.USD stands in."""
    small.sim.set_quote("SAP", 238.40, 238.45, size=5000)
    await look_up(small, "SAP")
    await small.until(lambda: "EUR" in small.app.portfolio.rates().per_unit, "a EUR rate")
    assert small.app.portfolio.rates().per_unit["EUR"] == pytest.approx(1.10005)
    text = await confirmed(small, "12", "238.45")  # 3,148 USD: over 3,000
    assert "Value 3,148 USD (2,861 EUR) is over the limit of 3,000 USD" in text, text
    assert "exchange rate" not in text, text


async def test_a_rate_quoted_the_other_way_is_turned_round(small: Blotter) -> None:
    small.sim.set_quote("7203", 2856.0, 2856.5, size=5000)
    await look_up(small, "7203")  # USD.JPY is quoted in yen per dollar
    await small.until(lambda: "JPY" in small.app.portfolio.rates().per_unit, "a JPY rate")
    assert small.app.portfolio.rates().per_unit["JPY"] == pytest.approx(1 / 150.005)
    text = await confirmed(small, "100", "2850")  # 285,000 JPY is 1,900 USD: within 3,000
    assert "285,000.00 JPY (about 1,900 USD)" in text and "exchange rate" not in text, text


async def test_the_rate_outlives_a_ticket_that_traded_its_pair(small: Blotter) -> None:
    """The pair's line is shared: a ticket that looked at EUR.USD and moved on leaves the
    rate's line live."""
    await look_up(small, "SAP")
    await small.until(lambda: "EUR" in small.app.portfolio.rates().per_unit, "a EUR rate")
    await look_up(small, "EUR.USD")
    await look_up(small, "AAPL")
    small.sim.set_quote("EUR.USD", 1.20000, 1.20010)
    await small.until(lambda: small.app.portfolio.rates().per_unit["EUR"] == pytest.approx(
        1.20005), "the rate following the market after the ticket left EUR.USD")
