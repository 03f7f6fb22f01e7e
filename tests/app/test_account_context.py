"""Positions, the account line and the account filter, live from the simulator."""

from __future__ import annotations

from textual.widgets import Select

from .conftest import Blotter
from .test_order_depth import send, type_into

FIRST, SECOND = "DU1234567", "DU7654321"


async def buy(blotter: Blotter, quantity: str, limit: str, account: str = FIRST) -> None:
    blotter.app.blotter.ticket.query_one("#account", Select).value = account
    await type_into(blotter, "quantity", quantity)
    await type_into(blotter, "limit", limit)
    await send(blotter)


async def test_a_fill_shows_in_positions_and_the_account_line(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51, size=500)
    await blotter.look_up("AAPL")
    await buy(blotter, "100", "187.60")
    app = blotter.app
    await blotter.until(lambda: [p.position for p in app.blotter.positions_table.rows()] == [100],
                        "the AAPL position in the positions pane")
    [position] = app.blotter.positions_table.rows()
    assert (position.symbol, position.account) == ("AAPL", FIRST)
    await blotter.until(lambda: position_pnl(blotter) is not None, "PnL for the position")
    summary = app.portfolio.account(FIRST)
    await blotter.until(lambda: (s := app.portfolio.account(FIRST)) is not None
                        and s.net_liquidation and s.daily_pnl is not None,
                        f"net liquidation and daily PnL (have {summary})")
    assert "pos 100" in str(app.blotter.ticket.query_one("#ticket-info").render())


def position_pnl(blotter: Blotter) -> float | None:
    rows = blotter.app.blotter.positions_table.rows()
    return rows[0].unrealized_pnl if rows else None


async def test_the_account_filter(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51)
    await blotter.look_up("AAPL")
    await buy(blotter, "10", "187.00", FIRST)
    await buy(blotter, "20", "187.01", SECOND)
    app = blotter.app
    await blotter.until(lambda: len(app.blotter.orders.rows()) == 2, "both orders shown")
    app.blotter.orders.focus()
    await blotter.press("f")  # -> the first account
    assert [r.account for r in app.blotter.orders.rows()] == [FIRST]
    await blotter.press("f")  # -> the second
    assert [r.account for r in app.blotter.orders.rows()] == [SECOND]
    await blotter.press("f")  # -> all again
    assert len(app.blotter.orders.rows()) == 2
