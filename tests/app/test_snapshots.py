"""Snapshots of the screens a trader sees, from a fixed state (no clock, no network), at 80x24,
100x30 and 160x45: the main screen with a bracket working, the log after fills and errors, the
ticket with its errors fixed one by one, a confirmation, the modify dialog, the help and a
resize round trip."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from ib_blotter.ib.lookup import Found
from ib_blotter.state.records import Quote
from ib_blotter.state.ticket import ContractSpec
from ib_blotter.ui.app import BlotterApp
from ib_blotter.ui.modify_screen import ModifyOrderScreen

from .demo import demo_app, move_the_day

ES = ContractSpec(symbol="ESZ6", sec_type="FUT", min_tick=0.25, multiplier=50,
                  order_types=frozenset({"MKT", "LMT", "STP", "STP LMT", "TRAIL"}),
                  tifs=frozenset({"DAY", "GTC", "IOC", "GTD", "FOK"}), long_name="E-mini S&P 500",
                  exchange="CME", currency="USD", con_id=637533641)
ES_QUOTES = (5411.75, 5412.0, 5411.5, 5412.5, 5413.0, 5412.75, 5413.5, 5413.25)


def _use_es(app: BlotterApp) -> None:
    """The ticket on ESZ6, as a lookup leaves it, with a few quotes since."""
    import ib_async

    contract = ib_async.Contract(conId=ES.con_id, symbol="ES", secType="FUT", exchange="CME",
                                 localSymbol="ESZ6", currency="USD", multiplier="50")
    app.blotter.ticket_desk.use_contract(
        "ES", Found(contract, ES, "ESZ6 E-mini S&P 500 · CME · front month (next ESH7)"))
    for last in ES_QUOTES:
        app.blotter.ticket_desk.quote_updated(Quote(last - 0.25, last, last))


@pytest.fixture(autouse=True)
def steady_cursors(monkeypatch: pytest.MonkeyPatch) -> None:
    """A focused field's cursor does not blink: a snapshot taken half a second later under
    load would otherwise catch it the other way."""
    focused = Input._on_focus

    def on_focus(self: Input, event: events.Focus) -> None:
        focused(self, event)
        self.cursor_blink = False

    monkeypatch.setattr(Input, "_on_focus", on_focus)


SIZES = pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 45)],
                                ids=["80x24", "100x30", "160x45"])


async def settle(pilot: Pilot) -> None:
    for _ in range(3):
        await pilot.pause()
    await pilot.wait_for_scheduled_animations()


async def day_moved(pilot: Pilot) -> None:
    """Settled, with the day's PnL moving since the screen came up."""
    app = pilot.app
    assert isinstance(app, BlotterApp)
    await settle(pilot)
    move_the_day(app)
    await settle(pilot)


@SIZES
def test_main_screen_with_a_bracket_working(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(demo_app(), terminal_size=size, run_before=day_moved)


@SIZES
def test_log_after_fills_and_errors(snap_compare, size: tuple[int, int]) -> None:
    async def focus_log(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=size, run_before=focus_log)


async def type_into(pilot: Pilot, field: str, text: str) -> None:
    app = pilot.app
    assert isinstance(app, BlotterApp)
    app.blotter.ticket.query_one(f"#{field}").focus()
    await pilot.press("ctrl+a", "ctrl+k", *text)


def ticket_fixed(fixes: int) -> Callable[[Pilot], Awaitable[None]]:
    """An ES order with two mistakes, entered, then `fixes` of them fixed."""

    async def fill_in(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, BlotterApp)
        await settle(pilot)
        _use_es(app)
        await type_into(pilot, "quantity", "0")
        await type_into(pilot, "limit", "5410.10")
        await pilot.press("enter")
        await settle(pilot)
        for field, text in (("quantity", "2"), ("limit", "5410.25"))[:fixes]:
            await type_into(pilot, field, text)
            await settle(pilot)

    return fill_in


@SIZES
@pytest.mark.parametrize("fixes", [0, 1, 2], ids=["two-errors", "one-fixed", "both-fixed"])
def test_ticket_with_errors_fixed_one_by_one(snap_compare, size: tuple[int, int],
                                             fixes: int) -> None:
    assert snap_compare(demo_app(), terminal_size=size, run_before=ticket_fixed(fixes))


@SIZES
def test_confirmation_of_a_bracket(snap_compare, size: tuple[int, int]) -> None:
    async def bracket(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, BlotterApp)
        await settle(pilot)
        _use_es(app)
        for field, text in (("quantity", "2"), ("take_profit", "5425"), ("stop_loss", "5400"),
                            ("limit", "5410.25")):
            await type_into(pilot, field, text)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=size, run_before=bracket)


@SIZES
def test_modify_modal(snap_compare, size: tuple[int, int]) -> None:
    async def open_modify(pilot: Pilot) -> None:
        # the demo is offline, where the m key refuses: open the dialog it would show
        app = pilot.app
        await settle(pilot)
        assert isinstance(app, BlotterApp) and app.blotter.orders.selected is not None
        await app.push_screen(ModifyOrderScreen(app.blotter.orders.selected))
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=size, run_before=open_modify)


@SIZES
def test_help(snap_compare, size: tuple[int, int]) -> None:
    async def open_help(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=size, run_before=open_help)


@SIZES
def test_resize_round_trip(snap_compare, size: tuple[int, int]) -> None:
    """There and back: the same screen as before the trip, the log still at its end."""

    async def round_trip(pilot: Pilot) -> None:
        await settle(pilot)
        there = (80, 24) if size[0] > 100 else (160, 45)
        await pilot.resize_terminal(*there)
        await settle(pilot)
        await pilot.resize_terminal(*size)
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=size, run_before=round_trip)


def test_positions_pane(snap_compare) -> None:
    async def positions(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=(80, 24), run_before=positions)


# The simulator's option expiries follow its clock's date: a fixed day, so the chain's expiries,
# days to expiry and greeks are the same on every run (time runs on from there).
CHAIN_DAY = datetime(2026, 12, 1, 12, 0, tzinfo=UTC).timestamp()


def on_chain_day() -> Callable[[], float]:
    started = time.monotonic()
    return lambda: CHAIN_DAY + time.monotonic() - started


def test_option_chain(snap_compare) -> None:
    """AAPL's chain against the seeded simulator, its prices still (pace 0), at 80x24: the
    cursor two strikes up on the puts, the next expiry, a leg to buy marked."""
    from .conftest import sim_settings, until
    from .test_chain import quoted_screen

    async def chain(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, BlotterApp)
        await until(pilot, lambda: app.ib_connected, "connected to the simulator")
        await pilot.press("n", *"AAPL", "enter")
        await until(pilot, lambda: app.blotter.ticket_desk.found is not None, "AAPL")
        await pilot.press("escape", "h")
        await until(pilot, lambda: quoted_screen(app), "the chain quoted")
        await pilot.press("k", "k", "tab", "right_square_bracket", "b")
        await until(pilot, lambda: quoted_screen(app), "the next expiry quoted")
        await settle(pilot)

    app = BlotterApp(sim_settings(), clock=on_chain_day())
    assert snap_compare(app, terminal_size=(80, 24), run_before=chain)
