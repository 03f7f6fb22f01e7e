"""A big day at start: key-to-paint from the first paint while 200,000 of today's fills sit in
the journal.

The journal (in the app's data folder) holds 200,000 fills of today, each with its commission,
written as the app writes a day's catch-up. The app starts on a 120x40 pty against a simulator
that listens. From the moment the screen first shows the orders table, `a` is typed every
100 ms for 4 s (all orders, then working orders only: the table's title changes); latency is
from writing the key to the screen showing the new title. Also: when the log says
the day is restored, from the first paint. The reference: the same app and keys with an empty
journal (what the start-up costs without the day: ib_async's import, the connect).

    python benchmarks/big_day.py [--quick] [--fills N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness import app_argv, app_env, summary
from terminal import Terminal

from ib_blotter.journal import Journal
from ib_blotter.sim.simulator import SimConfig, Simulator
from ib_blotter.state.records import FillRow

ALL_SHOWN = "All orders"  # the orders table's title while `a` shows them all
RESTORED = "fills restored from"


def seed(path: Path, count: int) -> None:
    """`count` fills of today, up to a minute ago, in one replayed batch."""
    now = datetime.now(UTC)
    midnight = now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    step = min(timedelta(seconds=0.1), (now - midnight) / (count + 600))

    async def write() -> None:
        with Journal(path) as journal:
            for n in range(count):
                journal.record_replayed(FillRow(
                    time=now - step * (count - n) - timedelta(minutes=1),
                    exec_id=f"{n:08x}.65f1a2b3.01.01", order_id=n // 50 + 1,
                    perm_id=1000 + n // 50, symbol="AAPL", side="BOT", shares=100,
                    price=187.5, client_id=1, exchange="ISLAND", account="DU1234567",
                    cum_qty=100, avg_price=187.5, commission=1.0, commission_currency="USD"))

    asyncio.run(write())  # in a thread of its own: the replayed batch needs a loop


async def keys_after_first_paint(folder: Path, port: int, seconds: float) -> dict[str, float]:
    terminal = Terminal(app_argv(port, folder), env=app_env(folder))
    await terminal.start()
    try:
        painted = await terminal.wait_for(lambda: terminal.screen.find("Working orders"),
                                          "the first paint", timeout=60)
        latencies: list[float] = []
        late: list[float] = []  # keys pressed a second or more after the first paint
        restored_at = None
        shown = False
        while time.perf_counter() - painted < seconds:
            pressed = terminal.write(b"a")
            shown = not shown
            want = shown
            await terminal.wait_for(
                lambda want=want: (terminal.screen.find(ALL_SHOWN) is not None) == want,
                "all orders" if want else "working orders", timeout=30)
            latencies.append((terminal.chunks[-1][0] - pressed) * 1000)
            if pressed - painted >= 1.0:
                late.append(latencies[-1])
            if restored_at is None and terminal.screen.find(RESTORED) is not None:
                restored_at = time.perf_counter() - painted
            await asyncio.sleep(max(0.0, 0.1 - (time.perf_counter() - pressed)))
        result = summary(latencies)
        result["first_key_ms"] = latencies[0]
        result["max_from_1s_ms"] = max(late, default=float("nan"))
        result["restored_s"] = restored_at if restored_at is not None else float("nan")
        result["first_paint_s"] = painted - terminal.started
        return result
    finally:
        await terminal.stop()


async def one_start(fills: int, seconds: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home:
        folder = Path(home)
        journal = folder / "data" / "ib-blotter" / "journal.sqlite"
        journal.parent.mkdir(parents=True)
        if fills:
            await asyncio.to_thread(seed, journal, fills)
        async with Simulator(SimConfig(port=0, pace=0)) as sim:
            return await keys_after_first_paint(folder, sim.port, seconds)


async def run(quick: bool = False, fills: int = 200_000) -> dict[str, object]:
    fills = 20_000 if quick else fills
    seconds = 1.5 if quick else 4.0
    return {"fills": fills, "big_day": await one_start(fills, seconds),
            "empty_journal": await one_start(0, seconds)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--fills", type=int, default=200_000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.quick, args.fills)), indent=2))


if __name__ == "__main__":
    main()
