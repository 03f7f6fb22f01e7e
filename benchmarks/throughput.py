"""Throughput: events/s through ib_async, the adapter and the state, against ib_async alone.

The messages are real: ib-blotter-sim runs in this process and a raw socket client, connected
as the master client, records every byte it is sent while another client's day is played
through the exchange: limit orders placed, modified, partly filled (orderStatus), cancelled
(PendingCancel, Cancelled), and market orders sweeping three price levels (execDetails,
commission reports, statuses). The recording is then fed, in the socket's 64 KiB reads, to:

- the reference: ib_async on its own (its framing, decoding and wrapper: Trades, Fills, events)
  with nothing listening;
- ib-blotter's path: the same, with IBAdapter and BlotterState attached (rows, fills, the log),
  no UI.

Each is timed over the whole recording in turn, three times; the best run of each is kept.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import time

import ib_async

from ib_blotter.ib.adapter import IBAdapter
from ib_blotter.sim.events import OrderEvent
from ib_blotter.sim.model import OrderRequest, SimContract
from ib_blotter.sim.simulator import SimConfig, Simulator
from ib_blotter.sim.wire import API_HELLO, FrameReader, frame
from ib_blotter.state.blotter import BlotterState

MASTER = 1
OTHER = 2
SERVER_VERSION = 178
READ_SIZE = 1 << 16
HANDSHAKE = {"9", "15"}  # nextValidId, managedAccounts


async def record(orders: int) -> list[bytes]:
    """Every message the master client is sent while `orders` orders live and die."""
    sim = Simulator(SimConfig(port=0, pace=0, master_client_id=MASTER, accounts=("DU1",)))
    await sim.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
    writer.write(API_HELLO + frame(["v157..178"]))
    frames = FrameReader()
    received: list[list[str]] = []
    while not received:
        received += frames.feed(await reader.read(READ_SIZE))
    writer.write(frame([71, 2, MASTER, ""]))  # startApi
    while MASTER not in sim.sessions:
        await asyncio.sleep(0.01)
    _play_a_day(sim, orders)
    writer.write(frame([49, 1]))  # reqCurrentTime: its answer marks the end
    while not received[-1] or received[-1][0] != "49":
        received += frames.feed(await reader.read(READ_SIZE))
    writer.close()
    await sim.stop()
    # Not the version, the handshake's accounts and next id, nor the end marker: events only.
    return [encode(fields) for fields in received[1:-1] if fields[0] not in HANDSHAKE]


def encode(fields: list[str]) -> bytes:
    body = "".join(f"{field}\0" for field in fields).encode()
    return struct.pack(">I", len(body)) + body


def _play_a_day(sim: Simulator, orders: int) -> None:
    exchange = sim.exchange
    con_id = sim.instrument_id("AAPL")
    sim.set_quote("AAPL", 187.50, 187.51, size=100)
    order_id = 0
    for index in range(orders):
        order_id += 1
        terms = {"action": "BUY", "totalQuantity": 1000, "orderType": "LMT", "tif": "DAY"}
        exchange.place(OTHER, order_id, SimContract(conId=con_id),
                       OrderRequest(lmtPrice=180.0, **terms))  # type: ignore[arg-type]
        exchange.place(OTHER, order_id, SimContract(conId=con_id),
                       OrderRequest(lmtPrice=180.5, **terms))  # type: ignore[arg-type]
        order = exchange.orders[(OTHER, order_id)]
        for _ in range(3):  # partial fills, as statuses
            order.filled += 100
            order.avgFillPrice = order.lastFillPrice = 180.5
            sim.notify(OrderEvent(order, open_order=False))
        exchange.cancel(OTHER, order_id)
        if index % 4 == 3:  # a market order sweeping three levels
            order_id += 1
            exchange.place(OTHER, order_id, SimContract(conId=con_id),
                           OrderRequest(action="BUY" if index % 8 == 3 else "SELL",
                                        totalQuantity=350, orderType="MKT"))


def fresh_ib() -> ib_async.IB:
    ib = ib_async.IB()
    client = ib.client
    client._serverVersion = SERVER_VERSION
    client.decoder.serverVersion = SERVER_VERSION
    # Never connected: nothing is ever sent, and the adapter asks IB for nothing.
    return ib


def feed(messages: list[bytes], with_blotter: bool) -> float:
    """Seconds to push every message through a fresh IB (and adapter + state)."""
    ib = fresh_ib()
    if with_blotter:
        IBAdapter(BlotterState(), ib, client_id=MASTER)
    data = b"".join(messages)
    chunks = [data[i : i + READ_SIZE] for i in range(0, len(data), READ_SIZE)]
    start = time.perf_counter()
    for chunk in chunks:
        ib.client._onSocketHasData(chunk)
    return time.perf_counter() - start


async def run(quick: bool = False) -> dict[str, float]:
    logging.getLogger("ib_async").setLevel(logging.CRITICAL)
    messages = await record(200 if quick else 2_000)
    reference, ours = [], []
    for _ in range(1 if quick else 3):
        reference.append(feed(messages, with_blotter=False))
        ours.append(feed(messages, with_blotter=True))
    count = len(messages)
    reference_rate, our_rate = count / min(reference), count / min(ours)
    return {"messages": count, "ib_async_per_s": reference_rate, "blotter_per_s": our_rate,
            "ratio": our_rate / reference_rate}


def main() -> None:
    import json
    import sys

    print(json.dumps(asyncio.run(run(quick="--quick" in sys.argv)), indent=2))


if __name__ == "__main__":
    main()
