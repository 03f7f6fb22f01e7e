"""The smaller points of issue 13 (point 8): All accounts, the filter and the ticket's account,
what esc leaves behind, 1k in the ticket, symbol completion."""

from __future__ import annotations

from textual.widgets import Input, Select

from ib_blotter.ui.fitted_line import FittedLine
from ib_blotter.ui.order_confirm_screen import OrderConfirmScreen

from .conftest import Blotter
from .demo import ACCOUNTS, demo_app
from .test_order_depth import confirmation, type_into


def strip_text(app: object) -> str:
    return app.blotter.query_one("#account-strip", FittedLine).plain  # type: ignore[attr-defined]


async def test_all_accounts_shows_the_figures_of_all_accounts() -> None:
    app = demo_app()
    for tag, value in (("NetLiquidation", "500000"), ("BuyingPower", "2000000"),
                       ("AvailableFunds", "400000")):
        app.portfolio.account_value(ACCOUNTS[1], tag, value, "USD")
    app.portfolio.account_pnl(ACCOUNTS[1], -741.55, -600.0, 0.0)
    async with app.run_test(size=(160, 24)) as pilot:
        await pilot.pause()
        text = strip_text(app)
        assert text.startswith("All accounts"), text
        assert "NetLiq 1,502,742" in text and "Day +2,000.00" in text, text
        app.blotter.orders.focus()
        await pilot.press("f")
        await pilot.pause()
        assert strip_text(app).startswith(f"{ACCOUNTS[0]} (filter)")
        assert "NetLiq 1,002,742" in strip_text(app)


async def test_the_account_filter_sets_the_tickets_account() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        account = app.blotter.ticket.query_one("#account", Select)
        app.blotter.orders.focus()
        for expected in ACCOUNTS[::-1]:  # the ticket starts on the first: take the other first
            while app.blotter.account_filter != expected:
                await pilot.press("f")
                await pilot.pause()
            assert account.value == expected


async def test_esc_leaves_no_order_numbers_behind() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        ticket = app.blotter.ticket
        ticket.query_one("#quantity").focus()
        await pilot.press(*"100")
        ticket.query_one("#limit").focus()
        await pilot.press(*"187.5", "escape")
        await pilot.pause()
        assert ticket.query_one("#quantity", Input).value == ""
        assert ticket.query_one("#limit", Input).value == ""

        app.blotter.orders.focus()
        await pilot.press("colon", *"b 250 msft 410.5 tp 420")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.blotter.quick.query_one(Input).value == ""
        for field in ("quantity", "limit", "take_profit"):
            assert ticket.query_one(f"#{field}", Input).value == "", field


async def test_symbols_complete_in_the_ticket() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.blotter.ticket.query_one("#symbol").focus()
        await pilot.press("M", "S")
        await pilot.pause(0.1)
        await pilot.press("right")
        await pilot.pause()
        assert app.blotter.ticket.query_one("#symbol", Input).value == "MSFT"


async def test_the_ticket_takes_1k(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51)
    await blotter.look_up("AAPL")
    await type_into(blotter, "quantity", "1k")
    await type_into(blotter, "limit", "187.40")
    await blotter.press("enter")
    screen = await confirmation(blotter)
    assert isinstance(screen, OrderConfirmScreen)
    assert "BUY 1,000 AAPL LMT 187.40" in str(screen.query_one("#dialog-body").render())
