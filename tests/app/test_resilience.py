"""A bug in a key handler is shown and logged; the blotter keeps running."""

from __future__ import annotations

import logging

import pytest

from ib_blotter.state.blotter import BlotterState
from ib_blotter.state.records import OrderRow
from ib_blotter.ui.help_screen import HelpScreen

from .demo import demo_app


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
