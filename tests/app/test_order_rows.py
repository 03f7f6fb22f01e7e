"""The orders table at 80 columns: every order's price in the price column, figures whole,
and brackets that read as brackets (issue 13, points 1, 5 and the numbers)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from ib_blotter.config import Settings
from ib_blotter.state.blotter import BlotterState
from ib_blotter.state.records import ConnectionInfo, ConnectionState, OrderRow
from ib_blotter.ui.app import BlotterApp
from ib_blotter.ui.orders_table import OpenOrdersTable

START = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)


def order(order_id: int, symbol: str = "AAPL", **extra: object) -> OrderRow:
    values: dict[str, object] = {
        "order_id": order_id, "perm_id": 900 + order_id, "client_id": 1, "symbol": symbol,
        "side": "BUY", "quantity": 100, "order_type": "LMT", "status": "Submitted",
        "limit": 187.5, "remaining": 100, "tif": "DAY", "ours": True, "min_tick": 0.01,
        "placed": START}
    values.update(extra)
    return OrderRow(**values)  # type: ignore[arg-type]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def app_with(clock: Clock | None = None) -> BlotterApp:
    state = BlotterState(linger=1.0, clock=clock or Clock())
    state.connection_changed(ConnectionInfo(state=ConnectionState.CONNECTED, client_id=1,
                                            accounts=("DU1",)))
    return BlotterApp(Settings(log_file=None), state=state, connect=False)


def lines(table: OpenOrdersTable) -> list[str]:
    return ["".join(s.text for s in table.render_line(y)).rstrip()
            for y in range(table.row_count + 1)]


def symbols(table: OpenOrdersTable) -> list[str]:
    return [line.split()[0] for line in lines(table)[1:]]


async def test_a_stops_price_shows_in_the_price_column_at_80_columns() -> None:
    app = app_with()
    async with app.run_test(size=(80, 24)) as pilot:
        state = app.state
        state.order_updated(order(1, order_type="STP", limit=None, aux=186.0, side="SELL"))
        state.order_updated(order(2, order_type="STP LMT", limit=185.9, aux=186.0))
        state.order_updated(order(3, order_type="TRAIL", limit=None, trailing_percent=2.0,
                                  trail_stop=183.75))
        await pilot.pause()
        header, stop, stop_limit, trail = lines(app.blotter.orders)
        assert "Price" in header.split()
        assert "STP" in stop and "186.00" in stop, stop
        assert "186.00/185.90" in stop_limit, stop_limit
        assert "2%/183.75" in trail, trail


async def test_quantities_have_separators_and_no_figure_is_cut() -> None:
    app = app_with()
    async with app.run_test(size=(80, 24)) as pilot:
        app.state.order_updated(order(1, symbol="EUR.USD", quantity=9_000_000, limit=1.08705,
                                      min_tick=0.00005, remaining=9_000_000))
        app.state.order_updated(order(2, quantity=25000, filled=12500, remaining=12500))
        await pilot.pause()
        _header, fx, aapl = lines(app.blotter.orders)
        assert "9,000,000" in fx and "1.08705" in fx, fx
        assert "25,000" in aapl and "12,500" in aapl, aapl
        assert "…" not in fx + aapl


def bracket(parent_id: int) -> list[OrderRow]:
    return [order(parent_id),
            order(parent_id + 1, side="SELL", limit=189.0, parent_id=parent_id, tif="GTC"),
            order(parent_id + 2, side="SELL", order_type="STP", limit=None, aux=186.0,
                  parent_id=parent_id, tif="GTC")]


async def test_bracket_children_sit_under_their_parent() -> None:
    app = app_with()
    async with app.run_test(size=(80, 24)) as pilot:
        parent, take_profit, stop_loss = bracket(10)
        app.state.order_updated(parent)
        app.state.order_updated(order(20, symbol="MSFT"))  # arrives between them
        app.state.order_updated(take_profit)
        app.state.order_updated(stop_loss)
        await pilot.pause()
        assert symbols(app.blotter.orders) == ["AAPL", "├AAPL", "└AAPL", "MSFT"]


async def test_children_whose_parent_left_are_a_group_of_their_own() -> None:
    clock = Clock()
    app = app_with(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        app.state.order_updated(order(5, symbol="MSFT"))
        for row in bracket(10):
            app.state.order_updated(row)
        app.state.order_updated(order(30, symbol="SPY"))
        app.state.order_updated(order(10, status="Filled", filled=100, remaining=0,
                                      avg_fill_price=187.5))
        clock.now = 10.0
        app.blotter._expire_ended()
        await pilot.pause()
        assert symbols(app.blotter.orders) == ["MSFT", "┌AAPL", "└AAPL", "SPY"]


async def test_showing_all_orders_keeps_the_groups() -> None:
    app = app_with()
    async with app.run_test(size=(80, 24)) as pilot:
        parent, take_profit, stop_loss = bracket(10)
        for row in (parent, order(20, symbol="MSFT"), take_profit, stop_loss):
            app.state.order_updated(row)
        app.blotter.show_all = True
        await pilot.pause()
        assert symbols(app.blotter.orders) == ["AAPL", "├AAPL", "└AAPL", "MSFT"]


async def test_positions_have_separators_too() -> None:
    from ib_blotter.state.records import Position

    app = app_with()
    async with app.run_test(size=(80, 24)) as pilot:
        app.portfolio.position_changed(Position("DU1", "EUR.USD", 12087, 250_000, 1.0868))
        await pilot.press("p")
        await pilot.pause()
        table = app.blotter.positions_table
        row = "".join(s.text for s in table.render_line(1))
        assert "250,000" in row, row


async def test_an_options_average_cost_is_per_share_as_its_price_is() -> None:
    """IB's avgCost of a contract with a multiplier is per contract (46.65 for a call bought
    at 0.4665); the trader compares it with the option's price."""
    from ib_blotter.state.records import Position

    app = app_with()
    async with app.run_test(size=(100, 24)) as pilot:
        app.portfolio.position_changed(Position("DU1", "AAPL 4Dec26 192.5C", 901, 1, 46.65,
                                                multiplier=100))
        app.portfolio.position_changed(Position("DU1", "ESZ6", 902, 2, 270_012.5,
                                                multiplier=50))
        await pilot.press("p")
        await pilot.pause()
        table = app.blotter.positions_table
        call, future = ("".join(s.text for s in table.render_line(y)) for y in (1, 2))
        assert " 0.4665 " in call and "46.65" not in call, call
        assert " 5400.25 " in future and "270,012" not in future, future  # as prices are


async def test_a_held_order_says_why_on_its_row() -> None:
    app = app_with()
    async with app.run_test(size=(200, 30)) as pilot:
        app.state.order_updated(order(1, order_type="STP", limit=None, aux=186.0,
                                      status="PreSubmitted", why_held="trigger"))
        app.state.order_updated(order(2, parent_id=1, status="PreSubmitted",
                                      why_held="child,trigger"))
        await pilot.pause()
        _header, stop, child = lines(app.blotter.orders)
        assert "held: stop not triggered" in stop, stop
        assert "held: parent not filled" in child, child


async def test_options_sit_under_their_underlying_in_the_positions() -> None:
    from ib_blotter.state.records import Position

    app = app_with()
    async with app.run_test(size=(80, 24)) as pilot:
        held = [("AAPL  261218C00190000", 1), ("MSFT", 2), ("AAPL", 3),
                ("MSFT  261218P00400000", 4), ("AAPL  261218P00180000", 5), ("EUR.USD", 6)]
        for symbol, con_id in held:
            app.portfolio.position_changed(Position("DU1", symbol, con_id, 1, 100.0))
        await pilot.press("p")
        await pilot.pause()
        table = app.blotter.positions_table
        assert [p.con_id for p in table.rows()] == [3, 1, 5, 2, 4, 6]


def test_a_whole_view_of_positions_is_grouped_the_same_way() -> None:
    from ib_blotter.state.records import Position
    from ib_blotter.ui.positions_table import grouped

    held = [Position("DU1", symbol, con_id, 1, 100.0) for symbol, con_id in (
        ("AAPL  261218C00190000", 1), ("MSFT", 2), ("AAPL", 3), ("MSFT  261218P00400000", 4),
        ("AAPL  261218P00180000", 5), ("EUR.USD", 6))]
    assert [p.con_id for p in grouped(held)] == [3, 1, 5, 2, 4, 6]


def exits_without_parent(table: OpenOrdersTable) -> bool:
    shown = {row.order_id for row in table.rows() if isinstance(row, OrderRow)}
    return any(row.parent_id and row.parent_id not in shown for row in table.rows())


@pytest.mark.parametrize("seed", range(16))
async def test_a_view_made_row_by_row_reads_as_the_same_view_made_anew(seed: int) -> None:
    """Random arrivals of plain orders and brackets (exits before or after their parent),
    fills, expiries and the all/working toggle: the table built one event at a time shows
    the same lines, marks and order as the same view made anew from the state. (Exits whose
    parent has left keep its place row by row, and take their own first one anew.)"""
    rng = random.Random(seed)
    clock = Clock()
    app = app_with(clock)
    async with app.run_test(size=(100, 60)) as pilot:
        rows: list[OrderRow] = []
        for n in range(8):
            parent_id = 10 * (n + 1)
            if rng.random() < 0.5:
                rows.append(order(parent_id, symbol=rng.choice(["MSFT", "SPY", "IBM"])))
            else:
                rows += bracket(parent_id)
        rng.shuffle(rows)
        for row in rows:
            app.state.order_updated(row)
            if rng.random() < 0.3:
                done = rng.choice(rows)
                app.state.order_updated(replace(done, status="Filled", filled=done.quantity,
                                                remaining=0, avg_fill_price=187.5))
            if rng.random() < 0.2:
                clock.now += 10.0
                app.blotter._expire_ended()
            if rng.random() < 0.1:
                app.blotter.show_all = not app.blotter.show_all
            await pilot.pause()
            if exits_without_parent(app.blotter.orders):
                continue
            built = lines(app.blotter.orders)
            app.blotter.show_all = not app.blotter.show_all
            app.blotter.show_all = not app.blotter.show_all  # the same view, made anew
            await pilot.pause()
            assert lines(app.blotter.orders) == built, f"seed {seed}"
