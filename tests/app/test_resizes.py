"""Resizes (issue 13, point 2): the layout follows the size of now, a log at its end stays
there, and a log scrolled up says how many new lines wait below it."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from ib_blotter.state.records import LogKind
from ib_blotter.ui.app import BlotterApp

from .demo import demo_app


def side_by_side(app: BlotterApp) -> bool:
    screen = app.blotter
    return screen.positions_table.display and screen.exec_log.display and \
        screen.positions_table.region.y == screen.exec_log.region.y


async def resize(pilot: Pilot, width: int, height: int) -> None:
    await pilot.resize_terminal(width, height)
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("widths", [(80, 150, 80), (80, 141, 139, 140, 80, 160)])
async def test_the_layout_follows_every_resize(widths: tuple[int, ...]) -> None:
    app = demo_app()
    async with app.run_test(size=(widths[0], 30)) as pilot:
        for width in widths:
            await resize(pilot, width, 30)
            assert side_by_side(app) == (width >= 140), f"at {width} columns"


async def test_a_resize_under_a_dialog_lays_the_screen_out_for_the_new_size() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.press("question_mark")
        await resize(pilot, 150, 30)
        await pilot.press("escape")
        await pilot.pause()
        assert side_by_side(app)


def last_row(app: BlotterApp) -> str:
    log = app.blotter.exec_log
    rows = [log.render_line(y).text.rstrip() for y in range(log.size.height)]
    return next(row for row in reversed(rows) if row)


async def add_lines(pilot: Pilot, app: BlotterApp, count: int, word: str = "line") -> None:
    for n in range(count):
        app.state.log(LogKind.ERROR, f"{word} {n}: 201 Order rejected: a reason long enough "
                                     "to wrap onto a second row at eighty columns")
    await pilot.pause()
    await pilot.pause()


async def test_a_log_at_its_end_stays_at_its_end_across_resizes() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await add_lines(pilot, app, 30)
        for width, height in ((120, 24), (80, 24), (150, 40), (80, 24), (80, 30), (80, 24)):
            await resize(pilot, width, height)
            assert "eighty columns" in last_row(app) or "line 29" in last_row(app), \
                f"at {width}x{height}: {last_row(app)!r}"
            await add_lines(pilot, app, 1, word=f"new at {width}x{height}")
            assert "new at" in "".join(app.blotter.exec_log.render_line(y).text for y in
                                       range(app.blotter.exec_log.size.height)), \
                f"the newest line is off screen at {width}x{height}"


async def test_a_log_at_its_end_stays_there_when_quick_entry_opens() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await add_lines(pilot, app, 30)
        await pilot.press("colon")
        await pilot.pause()
        await add_lines(pilot, app, 1, word="while open")
        await pilot.press("escape")
        await pilot.pause()
        await add_lines(pilot, app, 1, word="newest")
        assert "eighty columns" in last_row(app), last_row(app)
        assert any("newest" in app.blotter.exec_log.render_line(y).text
                   for y in range(app.blotter.exec_log.size.height))


async def test_a_log_scrolled_up_says_how_many_new_lines_wait_below() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await add_lines(pilot, app, 30)
        log = app.blotter.exec_log
        log.focus()
        await pilot.press("home")
        await pilot.pause()
        await add_lines(pilot, app, 3, word="unseen")
        assert "3 new lines below" in str(log.border_title), log.border_title
        await pilot.press("end")
        await pilot.pause()
        assert str(log.border_title) == "Executions and messages"
