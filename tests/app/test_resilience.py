"""A bug in a key handler is shown and logged; the blotter keeps running."""

from __future__ import annotations

import logging

import pytest

from ib_blotter.state.blotter import BlotterState
from ib_blotter.state.records import OrderRow
from ib_blotter.ui.help_screen import HelpScreen

from .conftest import Blotter
from .demo import demo_app
from .test_order_depth import confirmation
from .test_quick_entry import quick


async def test_an_exception_in_a_handler_is_shown_not_fatal(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self: BlotterState) -> list[OrderRow]:
        raise RuntimeError("simulated bug")

    # a fault deep under a key handler: showing all orders asks the state for them
    monkeypatch.setattr(BlotterState, "all_orders", broken)
    app = demo_app()
    with caplog.at_level(logging.ERROR):
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("a")
            await pilot.pause()
            assert app.is_running
            assert [str(e) for e in app.handled_errors] == ["simulated bug"]
            assert any("simulated bug" in n.message for n in app._notifications)
            await pilot.press("question_mark")  # the app still answers keys
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
    assert "simulated bug" in caplog.text


async def test_the_table_stays_live_behind_a_dialog(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51, size=500)
    blotter.app.blotter.orders.focus()
    await quick(blotter, "b 100 aapl 187.40")
    await confirmation(blotter)
    await blotter.press("y")
    orders = blotter.app.blotter.orders
    await blotter.until(lambda: [r.status for r in orders.rows()] == ["Submitted"],
                        "the order working")
    await blotter.press("question_mark")  # a dialog on top of the table
    blotter.sim.set_quote("AAPL", 187.30, 187.35, size=500)  # the order fills behind it
    await blotter.until(lambda: [r.status for r in blotter.app.state.all_orders()] == ["Filled"],
                        "the fill")
    await blotter.pilot.pause(0.1)
    assert isinstance(blotter.app.screen, HelpScreen)
    assert [r.status for r in blotter.app.blotter.orders.rows()] == ["Filled"]
    assert blotter.app.handled_errors == []
    assert "FILL" in "\n".join(blotter.app.blotter.exec_log.lines_written)
