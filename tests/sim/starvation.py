"""One client's load against another's replies: the simulator in a process of its own, a
greedy client A in another, and client B pinging reqCurrentTime from this one.

`python -m tests.sim.starvation` prints B's reply latency (p50 / p99 / max) alone and while A
holds thousands of market-data lines, while A reads a huge reply (100,000 executions), while A
holds lines and never reads; and the simulator's memory after 150 connections each leave a
1 MB frame half sent. The tests in test_starvation.py run the same scenarios, smaller.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from ib_blotter.sim.model import OrderRequest, SimContract
from ib_blotter.sim.simulator import SimConfig, Simulator
from ib_blotter.sim.wire import API_HELLO, FrameReader, frame

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
SEED_CLIENT = 9  # the client whose executions A asks for
SWEEP_LEVELS = 50
ASK_SIZE = 100.0


# ---- the simulator's process ------------------------------------------------------------
def seed_executions(sim: Simulator, executions: int) -> None:
    """Market orders of SEED_CLIENT, each sweeping SWEEP_LEVELS levels: one fill per level."""
    con_id = sim.instrument_id("AAPL")
    quote = sim.market.quote(con_id)
    sim.set_quote("AAPL", quote.bid, quote.ask, size=ASK_SIZE)
    sweep = ASK_SIZE * sum(1 + 0.5 * level for level in range(SWEEP_LEVELS))
    order_id = 1
    while len(sim.exchange.fills) < executions:
        side = "BUY" if order_id % 2 else "SELL"
        request = OrderRequest(action=side, totalQuantity=sweep, orderType="MKT")
        sim.exchange.place(SEED_CLIENT, order_id, SimContract(conId=con_id), request)
        order_id += 1


async def serve(pace: float, executions: int) -> None:
    """Run a simulator until stdin closes; its port is the first line on stdout."""
    sim = Simulator(SimConfig(port=0, pace=pace, master_client_id=SEED_CLIENT))
    seed_executions(sim, executions)
    port = await sim.start()
    print(port, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await sim.stop()


# ---- raw clients --------------------------------------------------------------------------
class Raw:
    """A hand-driven API connection (no client library between the socket and the figures)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.frames = FrameReader(max_frame=1 << 24)
        self.pending: list[list[str]] = []

    @classmethod
    async def connect(cls, port: int, client_id: int) -> Raw:
        reader, writer = await asyncio.open_connection(HOST, port)
        raw = cls(reader, writer)
        writer.write(API_HELLO + frame(["v157..178"]))
        await raw.until("178")  # the server version
        raw.send([71, 2, client_id, ""])
        await raw.until("9")  # nextValidId
        return raw

    def send(self, fields: list[object]) -> None:
        self.writer.write(frame(fields))

    async def until(self, msg_id: str) -> list[str]:
        while True:
            while not self.pending:
                data = await self.reader.read(1 << 16)
                if not data:
                    raise ConnectionError("closed by the simulator")
                self.pending += self.frames.feed(data)
            message = self.pending.pop(0)
            if message and message[0] == msg_id:
                return message

    async def drain_forever(self) -> None:
        with contextlib.suppress(ConnectionError):
            while await self.reader.read(1 << 16):
                pass


def mkt_data(req_id: int, symbol: str = "AAPL") -> list[object]:
    """reqMktData at version 11, as ib_async sends it for a SMART stock."""
    return [1, 11, req_id, 0, symbol, "STK", "", 0, "", "", "SMART", "", "USD", "", "", 0,
            "", 0, 0, ""]


async def greedy(port: int, scenario: str, lines: int) -> None:
    """Client A: 'lines' holds many lines and reads; 'never-reads' holds them and does not;
    'huge-reply' asks for every execution, again and again, and reads."""
    a = await Raw.connect(port, client_id=SEED_CLIENT if scenario == "huge-reply" else 2)
    if scenario == "huge-reply":
        while True:
            a.send([7, 3, 1, 0, "", "", "", "", "", ""])
            await a.until("55")  # execDetailsEnd
    symbols = ("AAPL", "MSFT", "SPY", "QQQ", "IBM", "TSLA", "AMZN")
    for req_id in range(1, lines + 1):
        a.send(mkt_data(req_id, symbols[req_id % len(symbols)]))
    if scenario == "lines":
        await a.drain_forever()
    await asyncio.Event().wait()  # never reads


# ---- measuring ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Latency:
    p50: float
    p99: float
    worst: float

    def __str__(self) -> str:
        return f"p50 {self.p50:.1f} ms, p99 {self.p99:.1f} ms, max {self.worst:.1f} ms"


async def ping(port: int, count: int, every: float) -> Latency:
    """Client B: reqCurrentTime, one at a time, `every` seconds apart; reply times in ms."""
    b = await Raw.connect(port, client_id=3)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        b.send([49, 1])
        await b.until("49")
        times.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(every)
    b.writer.close()
    ordered = sorted(times)
    return Latency(statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1], ordered[-1])


async def _python(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.sim.starvation", *args, cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)


@contextlib.asynccontextmanager
async def simulator_process(pace: float, executions: int = 0) -> AsyncIterator[tuple[int, int]]:
    """(port, pid) of a simulator in a process of its own."""
    proc = await _python("--serve", "--pace", str(pace), "--executions", str(executions))
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 120)
        yield int(line), proc.pid
    finally:
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


@contextlib.asynccontextmanager
async def greedy_process(port: int, scenario: str, lines: int) -> AsyncIterator[None]:
    proc = await _python("--greedy", scenario, "--port", str(port), "--lines", str(lines))
    try:
        yield
    finally:
        proc.kill()
        await proc.wait()


async def latency_under(scenario: str, lines: int = 20_000, executions: int = 0,
                        pace: float = 4.0, settle: float = 3.0, count: int = 200) -> Latency:
    """B's reply latency while A does `scenario` ('alone': no A)."""
    async with simulator_process(pace, executions) as (port, _pid):
        if scenario == "alone":
            return await ping(port, count, 0.02)
        async with greedy_process(port, scenario, lines):
            await asyncio.sleep(settle)  # A's requests are in
            return await ping(port, count, 0.02)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def half_sent_frames(connections: int = 150, size: int = 1 << 20,
                           handshake: bool = False) -> tuple[float, float]:
    """The simulator's RSS (MB) before and after `connections` sockets each send all but the
    last byte of a `size`-byte frame, then wait: right after the API hello, or once connected
    (`handshake`)."""
    async with simulator_process(pace=0) as (port, pid):
        before = rss_mb(pid)
        writers = []
        body = size.to_bytes(4, "big") + b"x" * (size - 1)
        for client_id in range(100, 100 + connections):
            with contextlib.suppress(OSError):
                if handshake:
                    writer = (await Raw.connect(port, client_id)).writer
                    writer.write(body)
                else:
                    _reader, writer = await asyncio.open_connection(HOST, port)
                    writer.write(API_HELLO + body)
                writers.append(writer)
        await asyncio.sleep(2.0)
        after = rss_mb(pid)
        for writer in writers:
            writer.close()
        return before, after


async def report() -> None:
    print("B's reqCurrentTime round trip, 200 pings 20 ms apart (pace 4):")
    print(f"  alone:                                   {await latency_under('alone')}")
    print(f"  A holds 20,000 lines and reads:          {await latency_under('lines')}")
    print(f"  A holds 20,000 lines and never reads:    {await latency_under('never-reads')}")
    print("  A reads 100,000 executions, repeatedly:  "
          f"{await latency_under('huge-reply', executions=100_000, settle=1.0)}")
    for handshake, when in ((False, "after the hello"), (True, "once connected")):
        before, after = await half_sent_frames(handshake=handshake)
        print(f"150 half-sent 1 MB frames {when}: simulator RSS {before:.0f} -> {after:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--greedy", choices=("lines", "never-reads", "huge-reply"))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--pace", type=float, default=4.0)
    parser.add_argument("--executions", type=int, default=0)
    parser.add_argument("--lines", type=int, default=20_000)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.pace, args.executions))
    elif args.greedy:
        with contextlib.suppress(KeyboardInterrupt, ConnectionError):
            asyncio.run(greedy(args.port, args.greedy, args.lines))
    else:
        asyncio.run(report())


if __name__ == "__main__":
    main()
