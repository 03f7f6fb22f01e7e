"""Look at it (issue 13, point 9): the quote since the lookup as a sparkline in the ticket where
the width allows, and the day's PnL as one in the account strip from 160 columns."""

from __future__ import annotations

from textual.widgets import Sparkline

from ib_blotter.state.records import Quote
from ib_blotter.ui.app import BlotterApp

from .demo import ACCOUNTS, demo_app
from .test_whole_lines import use_es_quoted


def spark(app: BlotterApp, name: str) -> Sparkline:
    return app.blotter.query_one(f"#{name}", Sparkline)


async def test_the_ticket_draws_the_quote_since_the_lookup_where_there_is_room() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        use_es_quoted(app)
        for last in (5413.25, 5413.5, 5413.0, 5414.0):
            app.blotter.ticket_desk.quote_updated(Quote(last - 0.25, last, last))
        await pilot.pause()
        line = spark(app, "ticket-spark")
        assert line.display and list(line.data or []) == [5413.25, 5413.5, 5413.0, 5414.0]
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not line.display
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        use_es_quoted(app)  # a new lookup starts a new line: one price, no line yet
        await pilot.pause()
        assert list(line.data or []) == [5413.25] and not line.display


async def test_the_account_strip_draws_the_days_pnl_from_160_columns() -> None:
    app = demo_app()
    async with app.run_test(size=(160, 45)) as pilot:
        for day in (2741.55, 2800.0, 2650.25):
            app.portfolio.account_pnl(ACCOUNTS[0], day, 2616.55, 125.0)
        app.blotter.orders.focus()
        await pilot.press("f")  # one account: its own figures
        await pilot.pause()
        for day in (2700.0, 2900.0):
            app.portfolio.account_pnl(ACCOUNTS[0], day, 2616.55, 125.0)
        await pilot.pause()
        line = spark(app, "pnl-spark")
        assert line.display and list(line.data or [])[-2:] == [2700.0, 2900.0]
        await pilot.resize_terminal(140, 45)
        await pilot.pause()
        assert not line.display
