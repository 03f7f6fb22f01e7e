"""Never crash: a bug in any handler is logged and shown, and the blotter goes on; a journal
that cannot write does not stop fills from showing."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import ib_async
import pytest

import ib_blotter.ui
from ib_blotter.config import Settings
from ib_blotter.ib.adapter import IBAdapter
from ib_blotter.sim.simulator import Simulator
from ib_blotter.state.blotter import BlotterState
from ib_blotter.ui.app import BlotterApp
from ib_blotter.ui.order_ticket import OrderTicket

from .conftest import Harness, wait_until

# Handlers that only move a cursor, repaint or set up and tear down the app itself.
TRIVIAL = {"action_cursor", "action_cursor_to", "on_resize", "on_focus", "on_blur",
           "on_mount", "on_unmount"}


def test_every_event_and_key_handler_of_the_ui_is_guarded() -> None:
    """Textual stops a widget for good when one of its handlers raises: each one that does
    more than trivial work must be wrapped by ui.guard.guarded."""
    unguarded = []
    for path in sorted(Path(ib_blotter.ui.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            decorators = [ast.unparse(d) for d in node.decorator_list]
            handler = node.name.startswith(("on_", "action_", "watch_")) or any(
                d.startswith("on(") for d in decorators)
            if handler and node.name not in TRIVIAL and "guarded" not in decorators:
                unguarded.append(f"{path.name}:{node.lineno} {node.name}")
    assert not unguarded, unguarded


async def test_a_bug_in_a_widget_handler_is_shown_and_the_app_answers_keys(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self: OrderTicket) -> None:
        raise RuntimeError("simulated ticket bug")

    monkeypatch.setattr(OrderTicket, "_symbol_entered", broken)
    app = BlotterApp(Settings(), connect=False)
    with caplog.at_level(logging.ERROR):
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("n", "A", "A", "P", "L", "enter")
            await pilot.pause()
            assert app.is_running
            assert [str(e) for e in app.handled_errors] == ["simulated ticket bug"]
            assert any("simulated ticket bug" in n.message for n in app._notifications)
            await pilot.press("escape", "a")  # the ticket and the app still take keys
            await pilot.pause()
            assert app.blotter.show_all
    assert "Traceback" in caplog.text


async def test_a_broken_journal_does_not_stop_fills_from_showing(
    sim: Simulator, harness: Harness
) -> None:
    harness.journal.close()  # every write now fails
    aapl = await harness.contract("AAPL")
    harness.place(aapl, "BUY", 10)
    await wait_until(harness.matches_sim, harness.differences)
    assert harness.journal.last_error


def test_an_exception_in_a_state_listener_does_not_reach_ib_async(
    caplog: pytest.LogCaptureFixture,
) -> None:
    state = BlotterState()
    adapter = IBAdapter(state, ib_async.IB())

    def broken(change: object) -> None:
        raise RuntimeError("listener bug")

    state.subscribe(broken)
    adapter.ib.errorEvent.emit(-1, 2104, "Market data farm connection is OK:usfarm", None)
    assert "listener bug" in caplog.text
    assert any("2104" in line.text for line in state.log_lines())
