"""How many messages per second ib-blotter-sim streams to one client.

The simulator runs in this process; the client is a separate process that only splits frames
and counts them, so the figure is the simulator's, not a client's decoding speed.
Two workloads: a bulk replay (reqExecutions over many fills: execDetails + commissionReport)
and live market data on every instrument at a high market pace.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from ib_blotter.sim.model import OrderRequest, SimContract
from ib_blotter.sim.simulator import SimConfig, Simulator

COUNTER = r"""
import socket, struct, sys, time, json
port, mode, seconds, expect = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
s = socket.create_connection(("127.0.0.1", port))
def send(fields):
    body = "".join(f"{f}\0" for f in fields).encode()
    s.sendall(struct.pack(">I", len(body)) + body)
s.sendall(b"API\0")
send(["v157..178"])
buf = b""
def frames():
    global buf
    while True:
        while len(buf) >= 4:
            n = struct.unpack(">I", buf[:4])[0]
            if len(buf) < 4 + n:
                break
            msg, buf = buf[4:4 + n], buf[4 + n:]
            yield msg
        data = s.recv(1 << 20)
        if not data:
            return
        buf += data
it = frames()
next(it)  # server version
send([71, 2, 7, ""])
count = 0
if mode == "replay":
    send([7, 3, 1, 0, "", "", "", "", "", ""])
    start = time.perf_counter()
    for msg in it:
        count += 1
        if msg.startswith(b"55\0"):
            break
else:
    for req_id, con_id in enumerate(json.loads(sys.argv[5]), start=100):
        send([1, 11, req_id, con_id, "", "", "", 0, "", "", "", "", "", "", "", 0, "", 0, 0, ""])
    start = time.perf_counter()
    for msg in it:
        count += 1
        if time.perf_counter() - start >= seconds:
            break
elapsed = time.perf_counter() - start
print(json.dumps({"messages": count, "seconds": elapsed}))
"""


def _seed_fills(sim: Simulator, fills: int) -> None:
    """Trade client 7's book until `fills` executions exist (each order sweeps one level)."""
    con_id = sim.instrument_id("AAPL")
    order_id = 1
    while len(sim.exchange.fills) < fills:
        side = "BUY" if order_id % 2 else "SELL"
        sim.exchange.place(7, order_id, SimContract(conId=con_id),
                           OrderRequest(action=side, totalQuantity=100, orderType="MKT"))
        order_id += 1


async def _measure(sim: Simulator, mode: str, seconds: float, expect: int) -> dict[str, float]:
    con_ids = json.dumps(sim.market.walked)  # options follow these
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", COUNTER, str(sim.port), mode, str(seconds), str(expect), con_ids,
        stdout=subprocess.PIPE)
    out, _ = await proc.communicate()
    result = json.loads(out)
    return {"messages": result["messages"], "seconds": result["seconds"],
            "per_second": result["messages"] / max(result["seconds"], 1e-9)}


async def run(quick: bool = False) -> dict[str, dict[str, float]]:
    fills = 2_000 if quick else 50_000
    seconds = 0.5 if quick else 3.0
    results: dict[str, dict[str, float]] = {}
    replay = Simulator(SimConfig(port=0, pace=0, accounts=("DU1",)))
    await replay.start()
    _seed_fills(replay, fills)
    replay.config.master_client_id = 7
    results["replay"] = await _measure(replay, "replay", seconds, 2 * fills)
    await replay.stop()
    live = Simulator(SimConfig(port=0, pace=1000.0))
    await live.start()
    results["market_data"] = await _measure(live, "live", seconds, 0)
    await live.stop()
    return results


def main() -> None:
    results = asyncio.run(run(quick="--quick" in sys.argv))
    for name, figures in results.items():
        print(f"{name:12} {figures['messages']:>9,.0f} msgs in {figures['seconds']:.2f} s = "
              f"{figures['per_second']:>10,.0f} msgs/s")


if __name__ == "__main__":
    main()
