"""The FX pair that values a currency the account does not hold yet (issue 15): named as the
market names it, its price turned round when the pair is quoted the other way, and IB's own
account rate preferred once IB sends one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ib_blotter.state.money import PAIR_PRECEDENCE, fx_pair
from ib_blotter.state.portfolio import PortfolioState


@pytest.mark.parametrize(("currency", "base", "named", "inverted"), [
    ("EUR", "USD", "EUR.USD", False), ("JPY", "USD", "USD.JPY", True),
    ("GBP", "EUR", "EUR.GBP", True), ("JPY", "GBP", "GBP.JPY", True),
    ("USD", "CHF", "USD.CHF", False), ("MXN", "USD", "USD.MXN", True),
    ("CHF", "JPY", "CHF.JPY", False),
])
def test_pairs_are_named_as_the_market_names_them(currency: str, base: str, named: str,
                                                  inverted: bool) -> None:
    pair = fx_pair(currency, base)
    assert (f"{pair.symbol}.{pair.currency}", pair.inverted) == (named, inverted)


CURRENCIES = st.sampled_from([*PAIR_PRECEDENCE, "JPY", "HKD", "SEK", "MXN", "SGD"])


@given(CURRENCIES, CURRENCIES, st.floats(0.001, 1000))
def test_either_way_round_the_same_pair_gives_reciprocal_rates(a: str, b: str,
                                                               price: float) -> None:
    if a == b:
        return
    there, back = fx_pair(a, b), fx_pair(b, a)
    assert (there.symbol, there.currency) == (back.symbol, back.currency)
    assert there.rate(price) * back.rate(price) == pytest.approx(1)


def test_ibs_account_rate_is_preferred_to_the_markets() -> None:
    portfolio = PortfolioState()
    portfolio.account_value("DU1", "NetLiquidation", "1000000", "USD")
    portfolio.market_rate("EUR", "USD", 1.10)
    assert portfolio.rates("DU1").per_unit == {"EUR": 1.10}
    portfolio.account_value("DU1", "ExchangeRate", "1.0876", "EUR")
    assert portfolio.rates("DU1").per_unit == {"EUR": 1.0876}
    portfolio.market_rate("EUR", "CHF", 0.95)  # another base's: not this account's
    assert portfolio.rates("DU1").per_unit == {"EUR": 1.0876}
