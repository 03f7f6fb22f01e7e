"""The orders table and the log repaint only what changed (what keeps SSH bytes down).

They lean on Textual internals (`set_reactive` on `virtual_size`, `_scroll_update`): textual is
pinned exactly, and these tests say when an upgrade breaks that.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.screen import Screen

from ib_blotter.state.records import LogKind, LogLine, OrderRow
from ib_blotter.ui import execution_log
from ib_blotter.ui.execution_log import ExecutionLog
from ib_blotter.ui.orders_table import OpenOrdersTable

from .conftest import Blotter


class Bench(App[None]):
    CSS = """
    OpenOrdersTable { height: 12; scrollbar-size-vertical: 1; }
    ExecutionLog { height: 10; scrollbar-size-vertical: 1; }
    """

    def compose(self) -> ComposeResult:
        yield OpenOrdersTable()
        yield ExecutionLog(max_lines=50)


def _order(order_id: int, filled: float = 0) -> OrderRow:
    return OrderRow(order_id=order_id, perm_id=1000 + order_id, client_id=1, symbol="AAPL",
                    side="BUY", quantity=100, order_type="LMT", status="Submitted",
                    filled=filled, remaining=100 - filled, limit=187.5, min_tick=0.01, ours=True)


def _line(number: int) -> LogLine:
    return LogLine(datetime(2026, 11, 25, 14, 30), LogKind.ORDER, f"line {number}")


class Repaints:
    """Records each refresh of a widget: None for the whole widget, else the region."""

    def __init__(self, widget: OpenOrdersTable | ExecutionLog) -> None:
        self.calls: list[Region | None] = []
        original = widget.refresh

        def refresh(*regions: Region, **kwargs: object) -> object:
            self.calls.extend(regions or [None])
            return original(*regions, **kwargs)  # type: ignore[arg-type]

        widget.refresh = refresh  # type: ignore[method-assign]

    def whole(self) -> int:
        return self.calls.count(None)

    def take(self) -> list[Region | None]:
        calls, self.calls = self.calls, []
        return calls


async def test_a_new_or_changed_order_repaints_its_line_alone() -> None:
    app = Bench()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(OpenOrdersTable)
        table.upsert(_order(1))
        await pilot.pause()
        repaints = Repaints(table)
        table.upsert(_order(2))  # a new row: the table grows, the others stay put
        await pilot.pause()
        assert repaints.whole() == 0
        assert table.virtual_size.height == 3  # header and two rows
        repaints.take()
        for filled in range(1, 20):  # a burst on one order: one line refresh per batch
            table.upsert(_order(1, filled))
        await pilot.pause()
        calls = repaints.take()
        assert calls and all(region is not None and region.height == 1 for region in calls)
        assert len(calls) <= 2
        assert table.rows()[0].filled == 19


async def test_rows_past_the_bottom_do_not_repaint_the_table() -> None:
    app = Bench()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(OpenOrdersTable)
        for order_id in range(1, 30):
            table.upsert(_order(order_id))
        await pilot.pause()
        repaints = Repaints(table)
        table.upsert(_order(30))
        await pilot.pause()
        assert repaints.whole() == 0
        assert table.virtual_size.height == 31
        assert table.max_scroll_y > 0  # the scroll range followed


async def test_the_log_paints_new_lines_alone_and_jumps_half_a_page() -> None:
    app = Bench()
    async with app.run_test(size=(100, 30)) as pilot:
        log = app.query_one(ExecutionLog)
        for number in range(15):  # past the first jump (when the scrollbar comes)
            log.add(_line(number))
            await pilot.pause()
        repaints = Repaints(log)
        jumps = 0
        for number in range(15, 35):
            log.add(_line(number))
            await pilot.pause()
            calls = repaints.take()
            if None in calls or any(r is not None and r.height > 1 for r in calls):
                jumps += 1
            else:
                assert len(calls) == 1  # the new line's row
            shown = [log.render_line(y).text for y in range(log.size.height)]
            assert any(f"line {number}" in text for text in shown)  # the newest is on screen
        assert jumps == 4  # 20 lines, half a page (5 rows) per jump
        assert log.lines_written[-1].endswith("line 34")


async def test_a_stream_of_lines_is_painted_a_tenth_of_a_second_apart() -> None:
    """A day's catch-up brings thousands of lines a second, a socket read's worth at a time:
    each take of them scrolls and repaints the whole log, and painting that on every frame
    was a sixth of the app's work. Single lines still show at once (the test above)."""
    app = Bench()
    async with app.run_test(size=(100, 30)) as pilot:
        log = app.query_one(ExecutionLog)
        repaints = Repaints(log)
        number, started = 0, time.monotonic()
        for _read in range(40):
            for _ in range(execution_log.STREAM_LINES * 2):  # one socket read's fills
                log.add(_line(number))
                number += 1
            await pilot.pause()
        took = time.monotonic() - started
        await pilot.pause(2 * execution_log.STREAM_EVERY)
        shown = [log.render_line(y).text for y in range(log.size.height)]
        assert any(f"line {number - 1}" in text for text in shown)  # the newest is on screen
        # a take a tenth of a second, and the first and last paints of the view
        assert repaints.whole() <= took / execution_log.STREAM_EVERY + 5 < 40


async def test_the_log_keeps_max_lines_and_drops_old_ones_in_batches() -> None:
    app = Bench()
    async with app.run_test(size=(100, 30)) as pilot:
        log = app.query_one(ExecutionLog)
        for number in range(500):  # one burst: only the last max_lines are ever rendered
            log.add(_line(number))
        await pilot.pause()
        assert len(log.lines_written) == 50
        assert log.lines_written[0].endswith("line 450")
        for number in range(500, 600):
            log.add(_line(number))
            await pilot.pause()
        assert 50 <= len(log.lines_written) <= 55
        assert log.lines_written[-1].endswith("line 599")


async def test_showing_all_orders_repaints_the_table_not_the_whole_screen(
        blotter: Blotter) -> None:
    """`a` (all orders / working orders) redraws the table: as a repainting reactive on the
    screen it redrew all of it, ~15 ms a key at 120x40 while a catch-up streamed."""
    await blotter.until(lambda: blotter.app.ib_connected, "connected")
    screen = blotter.app.blotter
    screen.orders.focus()
    await blotter.pilot.pause()
    whole: list[bool] = []
    render_full_update = screen._compositor.render_full_update

    def counted(*args: object, **kwargs: object) -> object:
        whole.append(True)
        return render_full_update(*args, **kwargs)  # type: ignore[arg-type]

    screen._compositor.render_full_update = counted  # type: ignore[method-assign]
    for title in ("All orders", "Working orders"):
        await blotter.press("a")
        await blotter.until(lambda: screen.orders.border_title == title, title)  # noqa: B023
        await painted(screen)
    assert whole == []


async def painted(screen: Screen[object]) -> None:
    done = asyncio.Event()
    screen.call_after_refresh(done.set)
    await asyncio.wait_for(done.wait(), 5)
