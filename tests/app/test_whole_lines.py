"""Whole at 80x24 (issue 13, point 1): a line with figures leaves out whole items, the least
important first, and never shows a figure cut in half or a label without its figure."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from textual.geometry import Region
from textual.widget import Widget

from ib_blotter.ib.lookup import Found
from ib_blotter.state.records import ConnectionState, Quote
from ib_blotter.ui.app import BlotterApp

from .demo import demo_app
from .test_snapshots import ES

LABELS = ("NetLiq", "BP", "Avail", "Day", "Unrl", "Rlzd", "bid", "ask", "last", "pos", "tick")
FIGURE = r"[+-]?[\d,]+(\.\d+)?|-"


def shown(widget: Widget) -> str:
    """What the widget paints now, its rows joined."""
    size = widget.size
    strips = widget.render_lines(Region(0, 0, size.width, size.height))
    return "\n".join("".join(s.text for s in strip).rstrip() for strip in strips)


def assert_whole(text: str) -> None:
    """Every label shown is followed by a whole figure; nothing ends in a cut."""
    assert "…" not in text, text
    words = text.split()
    for n, word in enumerate(words):
        if word in LABELS:
            assert n + 1 < len(words), f"{word!r} without its figure: {text!r}"
            assert re.fullmatch(FIGURE, words[n + 1]), f"{word} {words[n + 1]!r}: {text!r}"


WIDTHS = pytest.mark.parametrize("width", [80, 100, 160])


@WIDTHS
async def test_the_account_line_is_whole(width: int) -> None:
    app = demo_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        text = shown(app.blotter.query_one("#account-strip"))
        assert_whole(text)
        assert "All accounts" in text and "NetLiq 1,252,742" in text, text
        assert "Day +2,621.15" in text, text


async def test_the_top_bar_keeps_the_reconnect_countdown_at_80_columns() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        info = replace(app.state.connection, state=ConnectionState.RECONNECTING,
                       retry_in=3.5, last_error="502 Couldn't connect to TWS")
        app.state.connection_changed(info)
        await pilot.pause()
        text = shown(app.blotter.query_one("#connection"))
        assert "SIMULATED" in text and "reconnecting" in text, text
        assert "next try in 3.5 s, r: now" in text, text
        assert "…" not in text


def use_es_quoted(app: BlotterApp) -> None:
    """ES as the live lookup describes it: the front month, and the next one."""
    import ib_async

    contract = ib_async.Contract(conId=ES.con_id, symbol="ES", secType="FUT", exchange="CME",
                                 localSymbol="ESZ6", currency="USD", multiplier="50")
    description = "ESZ6 E-mini S&P 500 · CME · front month (next ESH7)"
    app.blotter.ticket_desk.use_contract("ES", Found(contract, ES, description))
    app.blotter.ticket.show_quote(Quote(5413.25, 5413.5, 5413.25))
    app.blotter.ticket.show_position(2)


@WIDTHS
async def test_the_ticket_line_keeps_the_quote(width: int) -> None:
    app = demo_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        use_es_quoted(app)
        await pilot.pause()
        text = shown(app.blotter.query_one("#ticket-info"))
        assert_whole(text)
        assert "bid 5413.25" in text and "ask 5413.50" in text and "last 5413.25" in text, text
        assert text.startswith("ESZ6"), text


async def test_a_quick_entry_error_keeps_its_did_you_mean_at_80_columns() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon", *"b 100 aapl 187.5 gtx", "enter")
        await pilot.pause()
        text = shown(app.blotter.query_one("#quick-error"))
        assert "did you mean GTC?" in text, text
        assert "I don't understand 'gtx'" in text, text
        assert "…" not in text, text
