"""Scale: 10,000 working orders and 100,000 executions at connect; and one update at that size.

The simulator is seeded straight through its exchange, as if the app's own client (id 1) had
traded all day: 10,000 limit orders resting below the market, and 2,000 market orders that each
swept 50 price levels (100,000 executions, each with its commission report). Then ib-blotter
starts on a 120x40 pty and connects: ib_async syncs the open orders (10,000 openOrder +
orderStatus), the completed orders and the executions (100,000 execDetails + commission
reports), and the app shows them.

Figures, from launch: to the screen showing the connection and the orders (the trader can
act: the app asks for the day's executions only then); and to the log showing the commission
of the last execution (every sync reply read and shown). The same from the app's first frame
(connect + sync + paint alone). Key-to-paint while the executions come in: arrow keys, down
and up in turn, from the orders on screen to the last execution (as key_latency.py measures
it). The app's peak RSS (VmHWM); and the cost of one update there:
event-to-screen latency and bytes of a status on a visible row, at 20 statuses/s, against the
same app holding 10 orders and no executions.

Then the restart: the app quits (ctrl+q) and starts again on the same journal, the same day at
the same simulator. The day's executions are spread over the last hours (up to a minute ago),
so IB is asked only for those after the point the journal vouches for, less its margin. From
launch: to the orders on screen, and to every execution on screen: the day's last one shown
(from the journal) and the log saying IB's catch-up is in. Key-to-paint meanwhile: `a` (all
orders / working orders, the table's title changes) every 100 ms from the first paint.

The restart's floor: ib_async alone, with the app's short log forms, reading what the restart
must read before every execution is on screen: the working orders TWS sends at the handshake,
then the executions since the point the journal vouches for (less the margin the app asks
with; asked for ahead of reqAllOpenOrders, which reads the orders again behind them),
recorded off the socket the same way.

The reference: the same sync replies, recorded off the socket first, read by ib_async alone in
a process of its own: its time for the open orders, the completed orders and the executions,
and its peak RSS, are the floor under any app built on it. Read twice: as ib_async comes, and
with the short log forms the app gives it (seam.short_log_forms): the saving.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from harness import HERE, app_argv, app_env, summary
from key_latency import DOWN, UP, CursorWatch
from latency import RowWatch
from load import StatusStream, place_resting, table_header
from terminal import Terminal
from throughput import READ_SIZE, encode

from ib_blotter.ib.sync import asked_from
from ib_blotter.journal import Journal
from ib_blotter.sim.model import Fill, OrderRequest, SimContract
from ib_blotter.sim.simulator import SimConfig, Simulator
from ib_blotter.sim.wire import API_HELLO, FrameReader, frame

APP_CLIENT = 1
LEVELS = 50
ASK_SIZE = 100.0
SYNC_TIMEOUT = 60.0  # seconds to wait for the last execution to show
SWEEP = ASK_SIZE * sum(1 + 0.5 * level for level in range(LEVELS))  # fills exactly LEVELS
DAY = timedelta(hours=2)  # the executions' times spread over this much, ending a minute ago
CAUGHT_UP = "Caught up on"  # the log line of IB's catch-up (sync.py)
ALL_ORDERS = "All orders"  # the orders table's title while `a` shows them all


def seed_executions(sim: Simulator, executions: int, first_id: int) -> None:
    """Market orders of the app's client, each sweeping LEVELS levels: one fill per level,
    placed in turn over the last DAY (less when today began later), up to a minute ago."""
    con_id = sim.instrument_id("AAPL")
    quote = sim.market.quote(con_id)
    sim.set_quote("AAPL", quote.bid, quote.ask, size=ASK_SIZE)
    now = datetime.now().astimezone()
    since_midnight = now - now.replace(hour=0, minute=0, second=0, microsecond=0)
    span = min(DAY, since_midnight * 0.9).total_seconds()
    orders = max(executions // LEVELS, 1)
    clock, order_id = sim.exchange.clock, first_id
    try:
        while len(sim.exchange.fills) < executions:
            at = now.timestamp() - 60 - span * (1 - (order_id - first_id) / orders)
            sim.exchange.clock = lambda at=at: at
            side = "BUY" if order_id % 2 else "SELL"
            sim.exchange.place(APP_CLIENT, order_id, SimContract(conId=con_id),
                               OrderRequest(action=side, totalQuantity=SWEEP, orderType="MKT"))
            order_id += 1
    finally:
        sim.exchange.clock = clock


async def sync_replies(sim: Simulator, since: str = "") -> tuple[list[bytes], ...]:
    """What the app's client is sent when it syncs, recorded off a raw socket: its open orders,
    its completed orders, and its executions (with their commission reports; from `since`,
    IB's time, when given)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
    writer.write(API_HELLO + frame(["v157..178"]))
    frames = FrameReader(max_frame=1 << 24)
    received: list[list[str]] = []
    while not received:
        received += frames.feed(await reader.read(READ_SIZE))
    writer.write(frame([71, 2, APP_CLIENT, ""]))  # startApi
    writer.write(frame([5, 1]))  # reqOpenOrders
    writer.write(frame([99, 0]))  # reqCompletedOrders
    writer.write(frame([7, 3, 1, 0, "", since, "", "", "", ""]))  # reqExecutions
    while not received[-1] or received[-1][0] != "55":  # execDetailsEnd
        received += frames.feed(await reader.read(READ_SIZE))
    writer.close()
    while APP_CLIENT in sim.sessions:  # the app takes this client id next
        await asyncio.sleep(0.01)
    replies = [fields for fields in received[1:] if fields]
    return tuple([encode(fields) for fields in replies if fields[0] in kinds]
                 for kinds in ({"5", "3", "53"}, {"101", "102"}, {"11", "59", "55"}))


DECODE_ALONE = """
import json, logging, sys, time
sys.path.insert(0, sys.argv[2])
from throughput import READ_SIZE, fresh_ib
from scale import peak_rss_mb
logging.getLogger("ib_async").setLevel(logging.WARNING)
if sys.argv[1] == "short":
    from ib_blotter.ib import seam
    seam.short_log_forms()
ib = fresh_ib()
ib.wrapper.startReq("completedOrders")  # as connectAsync's requests would have
ib.wrapper.startReq(1)  # reqExecutions' request id

def read(path):
    data = open(path, "rb").read()
    start = time.perf_counter()
    for offset in range(0, len(data), READ_SIZE):
        ib.client._onSocketHasData(data[offset : offset + READ_SIZE])
    return time.perf_counter() - start

seconds = [read(path) for path in sys.argv[3:]]
import os
print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_rss_mb(os.getpid())}))
"""


async def _ib_async_alone(*parts: list[bytes], short_forms: bool = False) -> dict[str, Any]:
    """ib_async by itself, in a process of its own, reading each part of the sync in turn:
    its time for each, and its peak memory; short_forms: with seam.short_log_forms on."""
    with contextlib.ExitStack() as files:
        names = []
        for messages in parts:
            recording = files.enter_context(tempfile.NamedTemporaryFile(suffix=".bin"))
            recording.write(b"".join(messages))
            recording.flush()
            names.append(recording.name)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", DECODE_ALONE, "short" if short_forms else "", str(HERE),
            *names,
            stdout=asyncio.subprocess.PIPE)
        out, _ = await proc.communicate()
    return json.loads(out)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def measure(orders: int, executions: int, updates: int, rate: float) -> dict[str, Any]:
    sim = Simulator(SimConfig(port=0, pace=0, accounts=("DU1234567",)))
    await sim.start()
    try:
        placed = place_resting(sim, APP_CLIENT, orders, first_id=1)
        seed_executions(sim, executions, first_id=orders + 1)
        replies = await sync_replies(sim)
        reference = await _ib_async_alone(*replies)
        short = await _ib_async_alone(*replies, short_forms=True)
        with tempfile.TemporaryDirectory() as folder:
            first = await _first_start(sim, Path(folder), placed, updates, rate)
            floor = await _restart_floor(sim, Path(folder)) if executions else {}
            restart = await _restart(sim, Path(folder)) if executions else {}
    finally:
        await sim.stop()
    return {"orders": orders, "executions": len(sim.exchange.fills), **first, **floor,
            **restart,
            "ib_async_open_orders_s": reference["seconds"][0],
            "ib_async_completed_orders_s": reference["seconds"][1],
            "ib_async_executions_s": reference["seconds"][2],
            "ib_async_rss_mb": reference["peak_rss_mb"],
            "short_open_orders_s": short["seconds"][0],
            "short_completed_orders_s": short["seconds"][1],
            "short_executions_s": short["seconds"][2]}


async def _first_start(sim: Simulator, folder: Path, placed: list[Any], updates: int,
                       rate: float) -> dict[str, Any]:
    """Nothing journaled: the whole day from IB."""
    terminal = Terminal(app_argv(sim.port, folder), env=app_env(folder))
    try:
        await terminal.start()
        first_frame = await terminal.wait_for(lambda: terminal.chunks, "the first frame")
        last = sim.exchange.fills[-1] if sim.exchange.fills else None
        orders_shown = await terminal.wait_for(lambda: _synced(terminal, None), "the orders",
                                               timeout=120)
        keys = asyncio.ensure_future(_keys_while_catching_up(
            terminal, lambda: _synced(terminal, last), SYNC_TIMEOUT))
        try:
            ready = await terminal.wait_for(lambda: _synced(terminal, last),
                                            "the last execution", timeout=SYNC_TIMEOUT)
            all_shown = True
        except TimeoutError:  # the app gave up on the executions (or is still reading)
            ready, all_shown = float("inf"), False
        key_figures = summary([latency * 1000 for latency in await keys])
        rss = peak_rss_mb(terminal.pid)
        await terminal.quiet(0.5, timeout=30)
        update = await _one_update(terminal, StatusStream(sim, placed[:10]), updates, rate)
        rss = max(rss, peak_rss_mb(terminal.pid))
    finally:
        await terminal.stop()  # ctrl+q: the app vouches for every fill until now, and quits
    return {"executions_shown": all_shown,
            "orders_s": orders_shown - terminal.started,
            "orders_sync_s": orders_shown - first_frame,
            "ready_s": ready - terminal.started, "sync_s": ready - first_frame,
            "catch_up_key_p50_ms": key_figures["p50"], "catch_up_key_p99_ms": key_figures["p99"],
            "catch_up_keys": key_figures["count"], "peak_rss_mb": rss, **update}


async def _restart_floor(sim: Simulator, folder: Path) -> dict[str, Any]:
    """ib_async alone reading what the restart must read before every execution is on screen,
    with the app's short log forms: the working orders TWS sends at the handshake, and the
    executions since the point the journal vouches for (the paper journal: the other end is
    the simulator)."""
    journal = Journal(next((folder / "data").rglob("journal-sim.sqlite")), read_only=True)
    try:
        vouched = journal.vouched(f"executions 127.0.0.1:{sim.port} client {APP_CLIENT}")
    finally:
        journal.close()
    since = asked_from(vouched) if vouched is not None else ""
    open_orders, _completed, executions = await sync_replies(sim, since)
    read = await _ib_async_alone(open_orders, executions, short_forms=True)
    return {"restart_floor_s": sum(read["seconds"]),
            "restart_floor_open_orders_s": read["seconds"][0],
            "restart_floor_executions": sum(m[4:7] == b"11\0" for m in executions)}


async def _restart(sim: Simulator, folder: Path) -> dict[str, Any]:
    """The same day again, its executions in the journal the first start wrote."""
    last = sim.exchange.fills[-1]
    terminal = Terminal(app_argv(sim.port, folder), env=app_env(folder))
    seen = _Seen(terminal, {"last": lambda: _fill_shown(terminal, last),
                            "caught up": lambda: terminal.screen.find(CAUGHT_UP) is not None})
    try:
        await terminal.start()
        painted = await terminal.wait_for(lambda: terminal.screen.find("Working orders"),
                                          "the first paint", timeout=60)
        keys = asyncio.ensure_future(_toggles_until(terminal, seen.all, SYNC_TIMEOUT))
        try:
            await terminal.wait_for(seen.all, "every execution", timeout=SYNC_TIMEOUT)
            ready = max(seen.at.values())
        except TimeoutError:
            ready = float("inf")
        key_figures = summary([latency * 1000 for latency in await keys])
    finally:
        await terminal.stop()
    return {"restart_ready_s": ready - terminal.started,
            "restart_first_paint_s": painted - terminal.started,
            "restart_key_p50_ms": key_figures["p50"], "restart_key_p99_ms": key_figures["p99"],
            "restart_keys": key_figures["count"]}


class _Seen:
    """When each of some things was first on screen (a log line may scroll away after)."""

    def __init__(self, terminal: Terminal, shown: dict[str, Callable[[], bool]]) -> None:
        self.shown = shown
        self.at: dict[str, float] = {}
        terminal.watchers.append(self.on_output)

    def on_output(self, now: float, _size: int, _rows: set[int]) -> None:
        for name, shown in self.shown.items():
            if name not in self.at and shown():
                self.at[name] = now

    def all(self) -> bool:
        return len(self.at) == len(self.shown)


async def _toggles_until(terminal: Terminal, done: Callable[[], bool], timeout: float
                         ) -> list[float]:
    """`a` every 100 ms until `done()` (or `timeout` seconds): the seconds from each key to the
    orders table's title changing (as big_day.py measures it)."""
    latencies: list[float] = []
    deadline = time.perf_counter() + timeout
    shown = terminal.screen.find(ALL_ORDERS) is not None
    while not done() and time.perf_counter() < deadline:
        pressed = terminal.write(b"a")
        shown = not shown
        with contextlib.suppress(TimeoutError):
            await terminal.wait_for(
                lambda want=shown: (terminal.screen.find(ALL_ORDERS) is not None) == want,
                "the title changed", timeout=5)
            latencies.append(terminal.chunks[-1][0] - pressed)
        await asyncio.sleep(max(0.0, 0.1 - (time.perf_counter() - pressed)))
    return latencies


async def _keys_while_catching_up(terminal: Terminal, caught_up: Callable[[], bool],
                                  timeout: float) -> list[float]:
    """Arrow keys, down and up in turn, until `caught_up()` (or `timeout` seconds): the seconds
    from each key to the cursor painted on its new row (as key_latency.py measures it)."""
    header = table_header(terminal.screen)
    cursor = CursorWatch(terminal, SimpleNamespace(first=(header or 0) + 1))
    deadline = time.perf_counter() + timeout
    row = 0
    while not caught_up() and time.perf_counter() < deadline:
        row = 1 - row
        cursor.expect(row, terminal.write(DOWN if row else UP))
        with contextlib.suppress(TimeoutError):
            await terminal.wait_for(lambda: cursor.want is None, "the cursor moved", timeout=5)
        await asyncio.sleep(0.1)
    return cursor.latencies


def _synced(terminal: Terminal, last: Fill | None) -> bool:
    """Connected, the orders on screen, and (when there are executions) the log showing the
    commission of the very last one: every reply of the sync read and shown."""
    screen = terminal.screen
    header = table_header(screen)
    return (header is not None and screen.find("v178") is not None
            and "LMT" in screen.line(header + 1)
            and (last is None or _fill_shown(terminal, last)))


def _fill_shown(terminal: Terminal, fill: Fill) -> bool:
    """The fill's log line, with its commission, on screen: its order and price (its exec id
    is left out when the line is longer than the log is wide)."""
    said = (f"@ {fill.price:.2f}", f"order #{fill.orderId}, commission")
    screen = terminal.screen
    return any(all(part in screen.line(row) for part in said) for row in range(screen.height))


async def _one_update(terminal: Terminal, stream: StatusStream, updates: int,
                      rate: float) -> dict[str, float]:
    watch = RowWatch(terminal, stream.size)
    sent = stream.new_record()
    watch.start(sent)
    before = terminal.total
    started = time.perf_counter()
    await stream.run(rate, updates / rate, sent)
    await terminal.wait_for(watch.caught_up, "the updates shown")
    await terminal.quiet(0.3)
    figures = summary([latency * 1000 for _sent, latency in watch.latencies])
    return {"update_p50_ms": figures["p50"], "update_p99_ms": figures["p99"],
            "update_bytes": (terminal.total - before) / max(sent.count, 1),
            "update_seconds": time.perf_counter() - started}


async def run(quick: bool = False) -> dict[str, dict[str, float]]:
    orders, executions = (1_000, 10_000) if quick else (10_000, 100_000)
    updates, rate = (10, 20.0) if quick else (60, 20.0)
    large = await measure(orders, executions, updates, rate)
    small = await measure(10, 0, updates, rate)
    return {"large": large, "small": small}


def main() -> None:
    import json
    import sys

    print(json.dumps(asyncio.run(run(quick="--quick" in sys.argv)), indent=2))


if __name__ == "__main__":
    main()
