"""What never-lose-a-fill costs: a journal write per fill, and how long a reconnect takes.

    python benchmarks/resilience.py [--quick]

- journal: one transaction per event (WAL, synchronous=NORMAL), a fill and its commission
  report, as the adapter writes them; and a replayed (duplicate) fill, which is only a lookup.
- reconnect: the simulator drops the adapter; time until the state says CONNECTED again with
  open orders, positions and missed executions synced (the default back-off: first try after
  at most 0.25 s). And after a 1 s gateway restart, time from the gateway being back.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from ib_blotter.ib.adapter import IBAdapter
from ib_blotter.journal import Journal
from ib_blotter.sim.simulator import SimConfig, Simulator
from ib_blotter.state.blotter import BlotterState
from ib_blotter.state.records import ConnectionState, FillRow


def journal_costs(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home, Journal(Path(home) / "j.sqlite") as journal:
        fills = [FillRow(time=datetime.now(UTC), exec_id=f"{n:08x}.bench.01.01", order_id=n,
                         perm_id=n, symbol="AAPL", side="BOT", shares=100, price=187.5,
                         account="DU1234567") for n in range(count)]
        start = time.perf_counter()
        for fill in fills:
            journal.record_fill(fill)
            journal.record_commission(fill.exec_id, 1.0, "USD", None)
        per_fill = (time.perf_counter() - start) / count
        start = time.perf_counter()
        for fill in fills:
            journal.record_fill(fill)
        per_replay = (time.perf_counter() - start) / count
    return {"fill and commission us": per_fill * 1e6, "replayed fill us": per_replay * 1e6}


async def reconnect_times(rounds: int) -> dict[str, float]:
    sim = Simulator(SimConfig(port=0, pace=0))
    await sim.start()
    state = BlotterState()
    adapter = IBAdapter(state)
    task = asyncio.create_task(adapter.stay_connected("127.0.0.1", sim.port, retry_every=5.0))

    async def until(condition: object) -> None:
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.001)

    def connected() -> bool:
        return state.connection.state is ConnectionState.CONNECTED

    await until(connected)
    drops, restarts = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        sim.drop_connections()
        await until(lambda: not connected())
        await until(connected)
        drops.append(time.perf_counter() - start)
    for _ in range(max(1, rounds // 5)):
        await sim.refuse_connections(1.0)
        back = time.perf_counter()
        await until(connected)
        restarts.append(time.perf_counter() - back)
    adapter.disconnect()
    await task
    await sim.stop()
    return {"drop to connected ms": statistics.median(drops) * 1000,
            "gateway back to connected ms": statistics.median(restarts) * 1000}


async def run(quick: bool) -> dict[str, float]:
    results = journal_costs(200 if quick else 5000)
    results.update(await reconnect_times(2 if quick else 10))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    results = asyncio.run(run(parser.parse_args().quick))
    print(json.dumps({k: round(v, 1) for k, v in results.items()}, indent=2))


if __name__ == "__main__":
    main()
