"""Make the README's screenshots: the real app, trading by keys against its embedded simulator.

    python screenshots/make.py      # writes screenshots/*.svg
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from textual.pilot import Pilot

from ib_blotter.config import Settings
from ib_blotter.state.records import ConnectionState
from ib_blotter.ui.app import BlotterApp
from ib_blotter.ui.order_confirm_screen import OrderConfirmScreen

HERE = Path(__file__).resolve().parent


async def wait_for(pilot: Pilot, condition: object, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():  # type: ignore[operator]
            return
        await pilot.pause(0.05)
    raise RuntimeError("the app did not get there in time")


async def type_into(pilot: Pilot, app: BlotterApp, field: str, text: str) -> None:
    app.blotter.ticket.query_one(f"#{field}").focus()
    await pilot.press("ctrl+a", "ctrl+k", *text)


async def enter(pilot: Pilot, app: BlotterApp, symbol: str, side: str, qty: str,
                limit: str, exits: tuple[str, str] = ("", "")) -> None:
    """The order typed into the ticket (a bracket when exits are given), then enter."""
    app.blotter.orders.focus()
    await pilot.press("n", "ctrl+a", "ctrl+k", *symbol, "enter")
    await wait_for(pilot, lambda: app.blotter.ticket_desk.found is not None
                   and app.blotter.ticket.resolved_text == symbol)
    app.blotter.ticket.query_one("#side").focus()
    await pilot.press("s" if side == "SELL" else "b")
    await type_into(pilot, app, "quantity", qty)
    for field, text in zip(("take_profit", "stop_loss"), exits, strict=True):
        await type_into(pilot, app, field, text)
    await type_into(pilot, app, "limit", limit)
    await pilot.press("enter")


async def send(pilot: Pilot, app: BlotterApp, symbol: str, side: str, qty: str,
               limit: str, exits: tuple[str, str] = ("", "")) -> None:
    """Enter the order, wait for the confirmation (with IB's what-if), and say yes."""
    await enter(pilot, app, symbol, side, qty, limit, exits)
    await wait_for(pilot, lambda: isinstance(app.screen, OrderConfirmScreen))
    await pilot.pause(0.3)
    await pilot.press("y")
    await wait_for(pilot, lambda: not isinstance(app.screen, OrderConfirmScreen))


async def trade(pilot: Pilot, app: BlotterApp) -> None:
    await wait_for(pilot, lambda: app.state.connection.state is ConnectionState.CONNECTED)
    sim = app.simulator
    assert sim is not None
    sim.set_quote("AAPL", 187.50, 187.51, size=300)
    sim.set_quote("ESZ6", 5412.00, 5412.25, size=5)
    await send(pilot, app, "AAPL", "BUY", "100", "187.40", exits=("189.00", "186.00"))
    await send(pilot, app, "ESZ6", "SELL", "1", "5425.00")
    await send(pilot, app, "AAPL", "BUY", "500", "187.55")
    await wait_for(pilot, lambda: len(sim.exchange.fills) >= 2)
    app.blotter.orders.focus()
    await pilot.press("n", "ctrl+a", "ctrl+k", *"XYZQ", "enter")  # a symbol IB doesn't know
    await wait_for(pilot, lambda: "XYZQ" in app.blotter.exec_log.lines_written[-1])
    app.blotter.orders.focus()
    await pilot.press("n", "ctrl+a", "ctrl+k", *"AAPL", "enter")
    await wait_for(pilot, lambda: app.blotter.ticket_desk.found is not None)
    app.blotter.orders.focus()
    await pilot.pause(0.5)


async def shoot(size: tuple[int, int], name: str, confirm: bool = False) -> None:
    # A journal of its own: the user's day must not show in (or receive) the screenshots.
    journal = Path(tempfile.mkdtemp()) / "journal.sqlite"
    app = BlotterApp(Settings(sim=True, sim_pace=0.0, linger=3600.0, journal_file=journal))
    async with app.run_test(size=size) as pilot:
        await trade(pilot, app)
        if confirm:
            await enter(pilot, app, "AAPL", "SELL", "600", "188.00")
            await wait_for(pilot, lambda: isinstance(app.screen, OrderConfirmScreen))
            await pilot.pause(0.5)  # IB's what-if answer
        app.save_screenshot(f"{name}.svg", str(HERE))
        print(f"wrote screenshots/{name}.svg")


async def main() -> None:
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    await shoot((120, 36), "blotter-120x36")
    await shoot((80, 24), "blotter-80x24")
    await shoot((80, 24), "confirm-80x24", confirm=True)


if __name__ == "__main__":
    asyncio.run(main())
