"""Keys typed in one burst (fast typing over SSH, a paste) land where they were typed.

Each key goes to what has focus once the keys before it took effect; text typed into a field
never reaches a hotkey; after any mistake focus is on the field to fix.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import textual.screen
from textual.strip import Strip
from textual.widgets import Input

from ib_blotter.sim.simulator import ReceivedOrder
from ib_blotter.ui.quick_entry_bar import QuickEntryBar

from .conftest import Blotter, sim_settings, start
from .keys import burst


def placed(blotter: Blotter) -> list[ReceivedOrder]:
    return [o for o in blotter.sim.traffic.received_orders if not o.request.whatIf]


def field(blotter: Blotter, name: str) -> str:
    return blotter.app.blotter.ticket.query_one(f"#{name}", Input).value


async def a_working_order(blotter: Blotter) -> None:
    """One resting AAPL buy, selected in the orders table, which has focus."""
    blotter.sim.set_quote("AAPL", 187.50, 187.51, last=187.50)
    await blotter.look_up("AAPL")
    await burst(blotter.pilot, "10", "Tab", "Tab", "180", "Enter")
    await blotter.until(lambda: blotter.app.screen.id != "_default", "the confirmation")
    await blotter.press("y")
    await blotter.until(lambda: blotter.app.blotter.orders.row_count == 1, "the order working")
    blotter.app.blotter.orders.focus()
    await blotter.pilot.pause()


async def test_tab_in_a_burst_moves_on_before_the_next_digits(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51)
    await blotter.look_up("AAPL")  # focus is now on the quantity
    await burst(blotter.pilot, "100", "Tab", "Tab", "401")
    assert (field(blotter, "quantity"), field(blotter, "limit")) == ("100", "401")


async def test_a_whole_ticket_typed_in_one_burst(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51)
    blotter.app.blotter.orders.focus()
    await burst(blotter.pilot, "n", "AAPL", "Enter")
    await blotter.until(lambda: blotter.app.blotter.ticket_desk.found is not None, "AAPL looked up")
    assert field(blotter, "symbol") == "AAPL"


async def test_an_enter_typed_before_the_lookup_answers_opens_the_confirmation(
        blotter: Blotter) -> None:
    """The whole order in one burst, enter included: IB has not answered the symbol's lookup
    when the enter comes, and the order waits for it instead of being dropped unsaid."""
    blotter.sim.set_quote("MSFT", 415.20, 415.21, last=415.20)
    blotter.app.blotter.orders.focus()
    blotter.sim.fault("delay", 0.3)  # IB's replies come 0.3 s late
    await burst(blotter.pilot, "n", "MSFT", "Enter", "10", "Tab", "Tab", "400", "Enter")
    await blotter.until(lambda: blotter.app.screen.id != "_default", "the confirmation")
    assert (field(blotter, "symbol"), field(blotter, "quantity"), field(blotter, "limit")) == (
        "MSFT", "10", "400")
    assert placed(blotter) == []  # a confirmation, nothing sent


async def test_an_enter_waiting_for_a_lookup_that_fails_goes_back_to_the_symbol(
        blotter: Blotter) -> None:
    blotter.app.blotter.orders.focus()
    blotter.sim.fault("delay", 0.3)
    await burst(blotter.pilot, "n", "XYZQ", "Enter", "10", "Tab", "Tab", "400", "Enter")
    app = blotter.app
    await blotter.until(lambda: "No such contract" in app.blotter.ticket.query_one(
        "#ticket-info").render().plain, "the lookup's failure on the ticket's line")
    await blotter.pilot.pause(0.2)
    assert app.screen.id == "_default" and placed(blotter) == []
    assert app.focused is app.blotter.ticket.query_one("#symbol", Input)


async def test_quick_entry_text_fires_no_hotkey(blotter: Blotter) -> None:
    await a_working_order(blotter)
    before = len(blotter.sim.traffic.received_orders)
    await burst(blotter.pilot, ":s 50 msft 420 gtd 2026-12-31")
    app = blotter.app
    assert app.screen.id == "_default", "no dialog opened (the m of msft is not Modify)"
    assert app.query_one("#quick-input", Input).value == "s 50 msft 420 gtd 2026-12-31"
    await burst(blotter.pilot, "Escape", ":b 1 aapl 180 m c C p a f + -")
    assert app.screen.id == "_default"
    screen = app.blotter
    assert (screen.show_positions, screen.show_all, screen.account_filter) == (False, False, None)
    assert len(blotter.sim.traffic.received_orders) == before
    assert blotter.sim.traffic.cancels == [] and blotter.sim.traffic.global_cancels == 0


async def test_an_unknown_symbol_keeps_quick_entry_open_on_the_word(blotter: Blotter) -> None:
    await a_working_order(blotter)
    before = len(blotter.sim.traffic.received_orders)
    await burst(blotter.pilot, ":b 100 appl 187.5", "Enter")
    app = blotter.app
    bar = app.query_one(QuickEntryBar)
    line = app.query_one("#quick-input", Input)
    await blotter.until(lambda: "APPL" in str(app.query_one("#quick-error").render()).upper(),
                        "the error about APPL under the line")
    assert bar.display and app.focused is line
    assert line.cursor_position == len("b 100 ")  # on the word to fix
    await burst(blotter.pilot, "m", "+", "+", "c")  # typed on: text, never hotkeys
    assert app.screen.id == "_default"
    assert len(blotter.sim.traffic.received_orders) == before


async def test_focus_is_never_on_nothing_after_a_quick_entry(blotter: Blotter) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51)
    blotter.app.blotter.orders.focus()
    await burst(blotter.pilot, ":b 10 aapl 180", "Enter")
    await blotter.until(lambda: blotter.app.screen.id != "_default", "the confirmation")
    await burst(blotter.pilot, "n")
    await blotter.until(lambda: blotter.app.screen.id == "_default", "back from the dialog")
    assert blotter.app.focused is not None
    assert placed(blotter) == []


async def test_ib_is_not_read_while_a_key_is_applied(blotter: Blotter) -> None:
    """The app holds IB's socket from a key's arrival until it took effect (see
    IBAdapter.hold_reading): during a catch-up every loop turn was a socket read of its own."""
    await blotter.until(lambda: blotter.app.ib_connected, "connected")
    transport = blotter.app.adapter.ib.client.conn.transport
    seen: list[bool] = []
    blotter.app.keys.after_each = lambda: seen.append(transport.is_reading())
    await burst(blotter.pilot, "a", "a")
    await blotter.pilot.pause()
    assert seen == [False, False]  # held while each key was applied
    assert transport.is_reading()  # and reading again after them


async def just_painted(blotter: Blotter) -> None:
    """The screen paints now: its next paint then waits for the frame after (the timer's)."""
    done = asyncio.Event()
    blotter.app.screen.refresh()
    blotter.app.screen.call_after_refresh(done.set)
    await asyncio.wait_for(done.wait(), 5)


@pytest.fixture
async def slow_frames(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Blotter]:
    """The screen's frames 0.2 s apart: a key settles well before the next one."""
    monkeypatch.setattr(textual.screen, "UPDATE_PERIOD", 0.2)
    async for running in start(sim_settings()):
        yield running


async def test_ib_stays_held_until_what_the_key_changed_is_painted(
        slow_frames: Blotter) -> None:
    """What a key changed is painted before IB is read again: left to the screen's next
    frame, the paint waited behind a catch-up's socket reads (40 ms more for an arrow key)."""
    blotter = slow_frames
    transport = blotter.app.adapter.ib.client.conn.transport
    symbol = blotter.app.blotter.ticket.query_one("#symbol", Input)
    symbol.focus()
    await blotter.pilot.pause()
    painted: list[tuple[str, bool]] = []  # (what the field showed, IB read meanwhile)
    render_line = symbol.render_line

    def watched(y: int) -> Strip:
        painted.append((symbol.value, transport.is_reading()))
        return render_line(y)

    symbol.render_line = watched  # type: ignore[method-assign]
    await just_painted(blotter)
    painted.clear()
    await burst(blotter.pilot, "m")
    await blotter.until(lambda: painted, "the field painted")
    assert painted[0] == ("m", False)  # painted while IB was still held
    await blotter.until(transport.is_reading, "IB read again")
