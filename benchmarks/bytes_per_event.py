"""Bytes written to the terminal per order event: ib-blotter against the stock DataTable.

Set-up: ib-blotter-sim listens on a real socket with client 1 as its master client (the one
that hears every client's orders). The app under test runs as a real process on a pty of
120x40 (TERM=xterm-256color, COLORTERM=truecolor) and connects as client 1. A second ib_async
client (client 2) places, modifies and cancels limit orders at a steady rate: a cycle of
place, four modifies (price or size) and a cancel, over a handful of working orders that all
fit on the screen. Every byte the app writes to the pty is read and timed.

An event is one request of the second client; its bytes are all the app wrote from that request
until the next one (at 10 events/s each event's repaint lands in its own window; a cancel
brings two statuses, PendingCancel and Cancelled, and counts as one event). Median and p95 over
the events; the bytes that landed on the orders table's rows and on the log's rows are shown
apart, from the rows the app's cursor moves wrote to.

The reference, benchmarks/reference_app.py, is the same blotter written the obvious way: a
stock DataTable (same columns, same cell text) updated with `update_cell`, fed the same event
stream by a fresh simulator. Ended orders stay on screen in both (linger of an hour), so the
rows stay put and only status changes are measured.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import tempfile
import time
from pathlib import Path

import ib_async
from harness import app_argv, app_env, reference_argv, summary
from load import table_header
from terminal import Terminal

from ib_blotter.sim.simulator import SimConfig, Simulator

QUOTES = {"AAPL": (187.50, 187.51), "MSFT": (410.10, 410.12), "SPY": (545.00, 545.01),
          "QQQ": (470.00, 470.02), "IBM": (181.00, 181.02)}
CYCLE = ("place", "modify", "modify", "modify", "modify", "cancel")
DRIVER_CLIENT = 2
logging.getLogger("ib_async").setLevel(logging.CRITICAL)  # the driver's 202s are expected


class OrderStream:
    """Client 2: places, modifies and cancels limit orders that rest below the market."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.ib = ib_async.IB()
        self.live: list[ib_async.Trade] = []
        self.count = 0

    async def connect(self) -> None:
        await self.ib.connectAsync("127.0.0.1", self.port, clientId=DRIVER_CLIENT)

    def place(self) -> None:
        symbol = list(QUOTES)[self.count % len(QUOTES)]
        bid = QUOTES[symbol][0]
        contract = ib_async.Stock(symbol, "SMART", "USD")
        order = ib_async.LimitOrder("BUY", 100, round(bid - 1.0 - 0.01 * self.count, 2))
        self.live.append(self.ib.placeOrder(contract, order))
        self.count += 1

    def modify(self, step: int) -> None:
        trade = self.live[step % len(self.live)]
        order = trade.order
        if step % 2:
            order.totalQuantity = order.totalQuantity + 100
        else:
            order.lmtPrice = round(order.lmtPrice - 0.05, 2)
        self.ib.placeOrder(trade.contract, order)

    def cancel(self) -> None:
        self.ib.cancelOrder(self.live.pop(0).order)

    def act(self, action: str, step: int) -> None:
        if action == "place":
            self.place()
        elif action == "modify":
            self.modify(step)
        else:
            self.cancel()

    def disconnect(self) -> None:
        self.ib.disconnect()


async def measure(argv_for: str, events: int, rate: float, initial: int) -> dict[str, object]:
    """Run one app (`app` or `reference`) against a fresh simulator and the order stream."""
    sim = Simulator(SimConfig(port=0, pace=0, master_client_id=1))
    port = await sim.start()
    for symbol, (bid, ask) in QUOTES.items():
        sim.set_quote(symbol, bid, ask)
    stream = OrderStream(port)
    with tempfile.TemporaryDirectory() as folder:
        argv = (app_argv(port, Path(folder)) if argv_for == "app"
                else reference_argv(port, Path(folder)))
        terminal = Terminal(argv, env=app_env(Path(folder)))
        try:
            await terminal.start()
            await terminal.wait_for(lambda: terminal.screen.find("v178") is not None,
                                    "the app connected")
            await stream.connect()
            for _ in range(initial):
                stream.place()
            await terminal.wait_for(
                lambda: _rows_showing(terminal, "LMT") >= initial, "the first orders shown")
            await terminal.quiet(0.5)
            regions = _regions(terminal)
            stamps, row_bytes = await _stream(terminal, stream, events, rate)
        finally:
            stream.disconnect()
            await terminal.stop()
            await sim.stop()
    per_event = [terminal.bytes_between(start, end) for start, end in itertools.pairwise(stamps)]
    result: dict[str, object] = {"events": len(per_event), "bytes": summary(per_event)}
    for name, rows in regions.items():
        split = [sum(after[r] - before[r] for r in rows)
                 for before, after in itertools.pairwise(row_bytes)]
        result[f"{name}_bytes"] = summary(split)
    return result


async def _stream(terminal: Terminal, stream: OrderStream, events: int,
                  rate: float) -> tuple[list[float], list[list[int]]]:
    """Send the events on a fixed schedule; the stamps bound each event's window."""
    stamps: list[float] = []
    row_bytes: list[list[int]] = []
    start = time.perf_counter()
    for index in range(events + 1):
        await asyncio.sleep(max(start + index / rate - time.perf_counter(), 0))
        stamps.append(time.perf_counter())
        row_bytes.append(list(terminal.screen.row_bytes))
        if index < events:
            stream.act(CYCLE[index % len(CYCLE)], index)
    return stamps, row_bytes


def _rows_showing(terminal: Terminal, text: str) -> int:
    return sum(text in terminal.screen.line(row) for row in range(terminal.screen.height))


def _regions(terminal: Terminal) -> dict[str, range]:
    """The screen rows of the orders table and of the log, found by their titles."""
    screen = terminal.screen
    table = table_header(screen)
    log = screen.find("Executions and messages")
    if table is None or log is None:
        return {}
    return {"table": range(table, log), "log": range(log, screen.height - 1)}


async def run(quick: bool = False) -> dict[str, object]:
    events, rate = (12, 20.0) if quick else (60, 10.0)
    app = await measure("app", events, rate, initial=4)
    reference = await measure("reference", events, rate, initial=4)
    return {"app": app, "reference": reference, "rate": rate}


def main() -> None:
    import json
    import sys

    print(json.dumps(asyncio.run(run(quick="--quick" in sys.argv)), indent=2))


if __name__ == "__main__":
    main()
