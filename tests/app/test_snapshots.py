"""Snapshots of the screens a trader sees, from a fixed state (no clock, no network)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from ib_blotter.ib.lookup import Found
from ib_blotter.state.ticket import ContractSpec
from ib_blotter.ui.app import BlotterApp
from ib_blotter.ui.modify_screen import ModifyOrderScreen

from .demo import demo_app

ES = ContractSpec(symbol="ESZ6", sec_type="FUT", min_tick=0.25, multiplier=50,
                  order_types=frozenset({"MKT", "LMT", "STP", "STP LMT", "TRAIL"}),
                  tifs=frozenset({"DAY", "GTC", "IOC", "GTD", "FOK"}), long_name="E-mini S&P 500",
                  exchange="CME", currency="USD", con_id=637533641)


def _use_es(app: BlotterApp) -> None:
    import ib_async

    contract = ib_async.Contract(conId=ES.con_id, symbol="ES", secType="FUT", exchange="CME",
                                 localSymbol="ESZ6", currency="USD", multiplier="50")
    app.blotter.ticket_desk.use_contract("ES", Found(contract, ES, "ESZ6 E-mini S&P 500 · CME"))


@pytest.fixture(autouse=True)
def steady_cursors(monkeypatch: pytest.MonkeyPatch) -> None:
    """A focused field's cursor does not blink: a snapshot taken half a second later under
    load would otherwise catch it the other way."""
    focused = Input._on_focus

    def on_focus(self: Input, event: events.Focus) -> None:
        focused(self, event)
        self.cursor_blink = False

    monkeypatch.setattr(Input, "_on_focus", on_focus)


SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])


@SIZES
def test_main_screen(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(demo_app(), terminal_size=size)


def send_es_ticket(quantity: str, limit: str) -> Callable[[Pilot], Awaitable[None]]:
    """Type an ES order into the ticket and press enter."""

    async def fill_in(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, BlotterApp)
        await pilot.pause()  # the screen's widgets are mounted
        _use_es(app)
        app.blotter.ticket.query_one("#quantity").focus()
        await pilot.press(*quantity)
        app.blotter.ticket.query_one("#limit").focus()
        await pilot.press(*limit, "enter")
        await pilot.pause()

    return fill_in


@SIZES
def test_ticket_with_errors(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(demo_app(), terminal_size=size, run_before=send_es_ticket("0", "5410.10"))


@SIZES
def test_confirmation(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(demo_app(), terminal_size=size, run_before=send_es_ticket("2", "5410.25"))


@SIZES
def test_modify_modal(snap_compare, size: tuple[int, int]) -> None:
    async def open_modify(pilot: Pilot) -> None:
        # the demo is offline, where the m key refuses: open the dialog it would show
        app = pilot.app
        await pilot.pause()
        assert isinstance(app, BlotterApp) and app.blotter.orders.selected is not None
        await app.push_screen(ModifyOrderScreen(app.blotter.orders.selected))
        await pilot.pause()

    assert snap_compare(demo_app(), terminal_size=size, run_before=open_modify)


def test_help(snap_compare) -> None:
    assert snap_compare(demo_app(), terminal_size=(80, 24), press=["question_mark"])


def test_positions_pane(snap_compare) -> None:
    assert snap_compare(demo_app(), terminal_size=(80, 24), press=["p"])


def test_wide_screen_shows_log_and_positions(snap_compare) -> None:
    assert snap_compare(demo_app(), terminal_size=(160, 45))
