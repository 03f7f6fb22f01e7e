"""PortfolioState: positions with their PnL, and the account strip's figures."""

from __future__ import annotations

from ib_blotter.state.portfolio import PortfolioState
from ib_blotter.state.records import Position


def recorder(portfolio: PortfolioState) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []
    portfolio.subscribe(lambda kind, key: seen.append((kind, key)))
    return seen


def test_a_position_then_its_pnl_and_a_flat_one_leaves_the_view() -> None:
    portfolio = PortfolioState()
    seen = recorder(portfolio)
    portfolio.position_pnl("DU1", 265598, 1.0, 1.0, 0.0, 100.0)  # before IB's position: kept out
    assert portfolio.positions() == []
    portfolio.position_changed(Position("DU1", "AAPL", 265598, 100, 187.5))
    portfolio.position_pnl("DU1", 265598, 12.5, 10.0, 2.5, 18760.0)
    [row] = portfolio.positions()
    assert (row.position, row.unrealized_pnl, row.realized_pnl, row.market_value) == (
        100, 10.0, 2.5, 18760.0)
    portfolio.position_changed(Position("DU1", "AAPL", 265598, 0, 0.0))
    assert portfolio.positions() == []
    assert seen == [("position", ("DU1", 265598))] * 3


def test_only_the_strip_tags_in_dollars_count_and_repeats_say_nothing() -> None:
    portfolio = PortfolioState()
    seen = recorder(portfolio)
    portfolio.account_value("DU1", "NetLiquidation", "1000000.50", "USD")
    portfolio.account_value("DU1", "NetLiquidation", "1000000.50", "USD")
    portfolio.account_value("DU1", "NetLiquidation", "900000", "EUR")
    portfolio.account_value("DU1", "Cushion", "0.9", "USD")
    portfolio.account_value("DU1", "BuyingPower", "not a number", "USD")
    portfolio.account_pnl("DU1", 5.0, 3.0, 2.0)
    summary = portfolio.account("DU1")
    assert summary is not None
    assert (summary.net_liquidation, summary.buying_power, summary.daily_pnl) == (
        1000000.5, None, 5.0)
    assert seen == [("account", "DU1"), ("account", "DU1")]


def test_an_options_greeks_give_its_delta_in_shares_and_stay_across_position_updates() -> None:
    from ib_blotter.state.records import Greeks

    portfolio = PortfolioState()
    seen = recorder(portfolio)
    call = Position("DU1", "AAPL 18Dec26 190C", 700_000_101, -3, 412.0, multiplier=100)
    assert call.delta_shares is None and call.theta_day is None  # nothing known yet
    portfolio.position_greeks("DU1", 700_000_101, Greeks(delta=0.5))  # before IB's position
    assert portfolio.positions() == []
    portfolio.position_changed(call)
    greeks = Greeks(delta=0.42, gamma=0.03, theta=-0.11, vega=0.2)
    portfolio.position_greeks("DU1", 700_000_101, greeks)
    portfolio.position_greeks("DU1", 700_000_101, greeks)  # the same again: nothing to show
    [row] = portfolio.positions()
    assert row.delta_shares == -126.0  # 0.42 x -3 contracts x 100 shares
    assert row.theta_day == 33.0  # short options earn their decay
    portfolio.position_changed(Position("DU1", "AAPL 18Dec26 190C", 700_000_101, -4, 410.0,
                                        multiplier=100))
    [row] = portfolio.positions()
    assert row.greeks == greeks and row.delta_shares == -168.0
    assert seen == [("position", ("DU1", 700_000_101))] * 3
