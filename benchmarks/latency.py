"""Event-to-screen latency: from the simulator sending an orderStatus to the terminal showing it.

Set-up: ib-blotter runs as a real process on a 120x40 pty, connected over a real socket to
ib-blotter-sim (in this process) as the master client. Ten working orders of another client sit
on screen; the simulator sends partial-fill statuses at a fixed rate, round robin, each raising
one order's filled quantity by one, and stamps each the moment it writes it to the socket.

How "the row shows it" is known: everything the app writes to the pty is parsed by a small
terminal emulator (terminal.Screen); whenever a write touches an order's row, the Filled cell is
read off the screen. A status counts as shown when its row first shows that filled quantity or a
later one (at 5,000/s one frame shows many statuses at once: the ones it made obsolete are
shown by it too). Latency is that read time minus the send time, so it includes the socket,
ib_async's decoding, the adapter, the state, Textual's frame and the pty: what a trader sees.

At each rate: p50 and p99 over all statuses; the backlog (p50 over the last third of the
statuses minus p50 over the first third: a backlog that grows shows as a positive number); and
convergence (from the last status sent to every row showing its final value).
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from harness import app_argv, app_env, summary
from load import OTHER_CLIENT, Sent, StatusStream, filled_cell, place_resting, table_header
from terminal import Terminal

from ib_blotter.sim.simulator import SimConfig, Simulator

ORDERS = 10
RATES = (50.0, 500.0, 5000.0)


class RowWatch:
    """Reads the orders' Filled cells off the screen as the app paints them."""

    def __init__(self, terminal: Terminal, orders: int) -> None:
        self.terminal = terminal
        screen = terminal.screen
        header = table_header(screen)
        if header is None:
            raise RuntimeError("no orders table on screen")
        self.first = header + 1
        self.cell = filled_cell(screen.line(header))
        self.orders = orders
        self.sent: Sent | None = None
        self.next: list[int] = [0] * orders
        self.latencies: list[tuple[float, float]] = []  # (sent at, latency)
        self.shown: list[float] = [0.0] * orders
        terminal.watchers.append(self.on_output)

    def shows(self, order: int) -> float:
        text = self.terminal.screen.line(self.first + order)[self.cell].strip()
        try:
            return float(text.replace(",", ""))  # sizes show with thousands separators
        except ValueError:
            return 0.0

    def on_output(self, now: float, _size: int, rows: set[int]) -> None:
        sent = self.sent
        for row in rows:
            order = row - self.first
            if not 0 <= order < self.orders:
                continue
            value = self.shows(order)
            self.shown[order] = value
            if sent is None:
                continue
            queue, index = sent.per_order[order], self.next[order]
            while index < len(queue) and queue[index][0] <= value:
                self.latencies.append((queue[index][1], now - queue[index][1]))
                index += 1
            self.next[order] = index

    def start(self, sent: Sent) -> None:
        self.sent, self.next, self.latencies = sent, [0] * self.orders, []

    def caught_up(self) -> bool:
        sent = self.sent
        return sent is not None and all(
            not queue or self.shown[order] >= queue[-1][0]
            for order, queue in enumerate(sent.per_order))


async def _phase(terminal: Terminal, stream: StatusStream, watch: RowWatch, rate: float,
                 seconds: float) -> dict[str, float]:
    sent = stream.new_record()
    watch.start(sent)
    finished = await stream.run(rate, seconds, sent)
    try:
        await terminal.wait_for(watch.caught_up, f"every row shown at {rate:g}/s", timeout=30)
        done = max(start + latency for start, latency in watch.latencies)
        converged = max(done - finished.last, 0.0)
    except TimeoutError:
        converged = float("inf")
    values = [latency for _sent, latency in watch.latencies]
    ordered = [latency for _sent, latency in sorted(watch.latencies)]
    third = max(len(ordered) // 3, 1)
    result = summary([v * 1000 for v in values])
    result.update({
        "rate": rate,
        "sent": finished.count,
        "achieved_rate": finished.count / max(finished.last - finished.first, 1e-9),
        "shown": len(values),
        "backlog_ms": (summary(ordered[-third:])["p50"] - summary(ordered[:third])["p50"]) * 1000,
        "converged_s": converged,
    })
    await terminal.quiet(0.3)
    return result


async def start_app(folder: Path, orders: int = ORDERS
                    ) -> tuple[Simulator, Terminal, StatusStream, RowWatch]:
    """The simulator, the app on a pty connected to it, and other-client orders on screen."""
    sim = Simulator(SimConfig(port=0, pace=0, master_client_id=1))
    port = await sim.start()
    terminal = Terminal(app_argv(port, folder), env=app_env(folder))
    await terminal.start()
    await terminal.wait_for(lambda: terminal.screen.find("v178") is not None, "app connected")
    stream = StatusStream(sim, place_resting(sim, OTHER_CLIENT, orders))
    header = await _table_header(terminal)
    await terminal.wait_for(
        lambda: "LMT" in terminal.screen.line(header + orders), "the orders on screen")
    await terminal.quiet(0.3)
    return sim, terminal, stream, RowWatch(terminal, orders)


async def _table_header(terminal: Terminal) -> int:
    await terminal.wait_for(lambda: table_header(terminal.screen) is not None, "the table")
    header = table_header(terminal.screen)
    assert header is not None
    return header


async def run(quick: bool = False) -> dict[str, dict[str, float]]:
    seconds = 0.5 if quick else 3.0
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        sim, terminal, stream, watch = await start_app(Path(folder))
        try:
            for rate in RATES:
                results[f"{rate:g}/s"] = await _phase(terminal, stream, watch, rate, seconds)
        finally:
            await terminal.stop()
            await sim.stop()
    return results


def main() -> None:
    import json
    import sys

    print(json.dumps(asyncio.run(run(quick="--quick" in sys.argv)), indent=2))


if __name__ == "__main__":
    main()
