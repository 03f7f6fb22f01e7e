"""The fault-schedule explorer: seeded random schedules of trading and faults, and one invariant
checked when each schedule has gone quiet.

A schedule is a list of steps drawn from a seed: trading from several clients (market sweeps,
resting orders, modifies, cancels, brackets, options, and combos that fill per leg and for the
BAG; the blotter's own orders, approved as a trader would, and other clients' orders it sees as
the master client) and faults: every one of the
simulator's registry (drop, restart, delay, dup, correction, late and early commission reports,
reordered statuses, 1100/1101/1102) and the process-level ones (the exchange killed and
restarted, forgetting its orders; the blotter killed -9 and started again on its journal; a
full disk; a second blotter on the same journal; an export while trading).

When the schedule is quiet (faults off, the blotter connected and caught up):
- the journal's fills equal the exchange's executions: exec ids (the latest revision of
  each), shares, prices and commissions;
- each blotter process logged each fill once;
- the working-orders view equals the exchange's working orders.
A failing seed prints its schedule; `python -m tests.faults.explorer --seed N` replays it.
`python -m tests.faults.explorer --schedules 300` is the long mode, with its figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from ib_blotter.ib.adapter import IBAdapter
from ib_blotter.ib.backoff import Backoff
from ib_blotter.journal import Journal
from ib_blotter.sim.model import ComboLeg, Fill, OrderRequest, SimContract
from ib_blotter.sim.simulator import SimConfig, Simulator
from ib_blotter.state.blotter import BlotterState, Change, ChangeKind
from ib_blotter.state.records import ConnectionState, LogKind, LogLine, OrderSpec, exec_base

from .. import trading

HOST = "127.0.0.1"
US = 1  # the blotter's client id, the exchange's master client: it sees every client's orders
OTHERS = (2, 3)
QUIET_TIMEOUT = 30.0


@dataclass(frozen=True)
class Step:
    action: str
    args: tuple[object, ...] = ()

    def __str__(self) -> str:
        return f"{self.action}{self.args if self.args else ''}"


def schedule(seed: int, steps: int = 24) -> list[Step]:
    """The schedule a seed stands for: the same seed, the same steps."""
    rng = random.Random(seed)
    trading_steps = ["sweep", "rest", "modify", "cancel", "bracket", "move", "our_order",
                     "our_cancel", "option", "combo"]
    faults = ["drop", "restart", "delay", "dup", "correction", "late", "early", "reorder",
              "link", "forget", "kill", "disk_full", "second", "export"]
    chosen = []
    for _ in range(steps):
        if rng.random() < 0.6:
            action = rng.choice(trading_steps)
            chosen.append(Step(action, (rng.choice(OTHERS), rng.randint(1, 4) * 5,
                                        round(rng.uniform(99.5, 100.5), 2))))
        else:
            action = rng.choice(faults)
            chosen.append(Step(action, (round(rng.uniform(0.05, 0.6), 2), rng.randint(1, 3))))
    return chosen


@dataclass
class Outcome:
    seed: int
    steps: list[Step]
    fills: int = 0
    faults: int = 0
    violations: list[str] = field(default_factory=list)


class Blotter:
    """The blotter between IB and its widgets (no screen), on a journal file; it can be
    killed -9 (abandoned mid-flight) and started again on the same file."""

    def __init__(self, port: int, path: Path) -> None:
        self.port, self.path = port, path
        self.fill_lines: Counter[str] = Counter()
        self._start()

    def _start(self) -> None:
        self.state = BlotterState(linger=0.2)
        self.journal = Journal(self.path)
        self.adapter = IBAdapter(self.state, client_id=US, journal=self.journal)
        self.adapter.backoff = Backoff(first=0.05, cap=0.3, rng=random.Random(3))
        self.fill_lines = Counter()
        self.state.subscribe(self._count)
        self.task = asyncio.create_task(self.adapter.stay_connected(HOST, self.port, 5.0))

    def _count(self, change: Change) -> None:
        line = change.key
        if change.kind is ChangeKind.LOG and isinstance(line, LogLine) \
                and line.kind is LogKind.FILL:
            self.fill_lines[line.text.split(" exec ")[-1].split()[0]] += 1

    @property
    def connected(self) -> bool:
        return self.state.connection.state is ConnectionState.CONNECTED

    async def kill(self) -> None:
        """kill -9: the socket dies, nothing is committed that was not, then a new process."""
        self.task.cancel()
        with contextlib.suppress(BaseException):
            await self.task
        transport = self.adapter.ib.client.conn.transport
        if transport is not None:
            transport.abort()
        self.journal._db.close()  # uncommitted writes die with the process
        self.journal._release_lock()
        self.journal._closed = True
        await asyncio.sleep(0.05)
        self._start()

    async def close(self) -> None:
        self.adapter.disconnect()
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(self.task, 5)
        self.journal.close()


class Run:
    """One schedule against one exchange and one blotter."""

    def __init__(self, seed: int, folder: Path) -> None:
        self.seed = seed
        self.rng = random.Random(seed + 1)
        self.folder = folder
        self.order_ids = {client: 0 for client in OTHERS}
        self.faults = 0
        self.disk_full = 0  # steps left with the disk full

    async def play(self, steps: list[Step]) -> Outcome:
        self.sim = Simulator(SimConfig(port=0, pace=0, seed=self.seed, master_client_id=US))
        await self.sim.start()
        self.sim.set_quote("AAPL", 100.00, 100.01, last=100.00, size=50)
        self.blotter = Blotter(self.sim.port, self.folder / "journal.sqlite")
        outcome = Outcome(self.seed, steps)
        try:
            await _until(lambda: self.blotter.connected, 10)
            self.aapl = (await self.blotter.adapter.resolve("AAPL"))[0][0]
            for step in steps:
                await getattr(self, f"_{step.action}")(*step.args)
                await asyncio.sleep(self.rng.uniform(0.0, 0.15))
                await self._disk_tick()
            await self._quiet()
            outcome.violations = await self._check()
            outcome.fills = len(self.sim.exchange.fills)
            outcome.faults = self.faults
        finally:
            await self.blotter.close()
            await self.sim.stop()
        return outcome

    # ---- trading ------------------------------------------------------------------------
    def _place(self, client: int, request: OrderRequest) -> int:
        self.order_ids[client] += 1
        contract = SimContract(conId=self.sim.instrument_id("AAPL"))
        self.sim.exchange.place(client, self.order_ids[client], contract, request)
        return self.order_ids[client]

    async def _sweep(self, client: int, size: int, price: float) -> None:
        side = self.rng.choice(("BUY", "SELL"))
        self._place(client, OrderRequest(action=side, totalQuantity=size * 20, orderType="MKT"))

    async def _rest(self, client: int, size: int, price: float) -> None:
        side = "BUY" if price < 100 else "SELL"
        self._place(client, OrderRequest(action=side, totalQuantity=size, orderType="LMT",
                                         lmtPrice=price, tif="GTC"))

    async def _bracket(self, client: int, size: int, price: float) -> None:
        parent = self._place(client, OrderRequest(action="BUY", totalQuantity=size,
                                                  orderType="LMT", lmtPrice=price,
                                                  transmit=False, tif="GTC"))
        self._place(client, OrderRequest(action="SELL", totalQuantity=size, orderType="LMT",
                                         lmtPrice=round(price + 1, 2), parentId=parent,
                                         transmit=False, tif="GTC"))
        self._place(client, OrderRequest(action="SELL", totalQuantity=size, orderType="STP",
                                         auxPrice=round(price - 1, 2), parentId=parent,
                                         tif="GTC"))

    def _calls(self) -> list[int]:
        """MSFT's calls of its last expiry, strike by strike (MSFT: the market AAPL's steps
        leave alone)."""
        [chain] = [c for c in self.sim.universe.chains if c.trading_class == "MSFT"]
        last = chain.expiries[-1]
        return [o.contract.conId for o in chain.options
                if o.contract.lastTradeDateOrContractMonth == last and o.contract.right == "C"]

    async def _option(self, client: int, size: int, price: float) -> None:
        calls = self._calls()
        con_id = calls[len(calls) // 2 + self.rng.randint(-2, 2)]
        self.order_ids[client] += 1
        self.sim.exchange.place(client, self.order_ids[client], SimContract(conId=con_id),
                                OrderRequest(action=self.rng.choice(("BUY", "SELL")),
                                             totalQuantity=size // 5, orderType="MKT"))

    async def _combo(self, client: int, size: int, price: float) -> None:
        """A call vertical at the market: a fill for each leg and one for the BAG."""
        calls = self._calls()
        low = len(calls) // 2 + self.rng.randint(-2, 1)
        legs = [ComboLeg(conId=calls[low], ratio=1, action="BUY", exchange="SMART"),
                ComboLeg(conId=calls[low + 1], ratio=1, action="SELL", exchange="SMART")]
        self.order_ids[client] += 1
        self.sim.exchange.place(client, self.order_ids[client],
                                SimContract(symbol="MSFT", secType="BAG", exchange="SMART",
                                            currency="USD", comboLegs=legs),
                                OrderRequest(action="BUY", totalQuantity=size // 5,
                                             orderType="MKT"))

    def _theirs(self, client: int) -> list[object]:
        return [o for o in self.sim.exchange.by_perm.values()
                if o.clientId == client and not o.is_done]

    async def _modify(self, client: int, size: int, price: float) -> None:
        for order in self._theirs(client)[:1]:
            request = order.request
            if request.orderType == "LMT":
                changed = OrderRequest(action=request.action, totalQuantity=request.totalQuantity,
                                       orderType="LMT", lmtPrice=price, tif=request.tif,
                                       parentId=request.parentId)
                self.sim.exchange.place(client, order.orderId, order.contract, changed)

    async def _cancel(self, client: int, size: int, price: float) -> None:
        for order in self._theirs(client)[:1]:
            self.sim.exchange.cancel(client, order.orderId)

    async def _move(self, client: int, size: int, price: float) -> None:
        self.sim.set_quote("AAPL", price, round(price + 0.01, 2), last=price, size=size * 10)

    async def _our_order(self, client: int, size: int, price: float) -> None:
        if not self.blotter.connected:
            return
        with contextlib.suppress(Exception):  # refused (the link went meanwhile): fine
            trading.place(self.blotter.adapter, self.aapl, OrderSpec(
                side="BUY" if price < 100 else "SELL", quantity=size, order_type="LMT",
                limit=price))

    async def _our_cancel(self, client: int, size: int, price: float) -> None:
        rows = [r for r in self.blotter.state.working_orders() if r.ours and not r.is_ended]
        if rows and self.blotter.connected:
            with contextlib.suppress(Exception):
                trading.cancel(self.blotter.adapter, rows[0])

    # ---- faults -------------------------------------------------------------------------
    def _fault(self, name: str, *args: object) -> None:
        self.faults += 1
        self.sim.fault(name, *args)

    async def _drop(self, seconds: float, n: int) -> None:
        self._fault("drop")

    async def _restart(self, seconds: float, n: int) -> None:
        self._fault("restart", seconds)

    async def _delay(self, seconds: float, n: int) -> None:
        self._fault("delay", seconds / 4)

    async def _dup(self, seconds: float, n: int) -> None:
        self._fault("dup", n)

    async def _correction(self, seconds: float, n: int) -> None:
        self._fault("correction", n)

    async def _late(self, seconds: float, n: int) -> None:
        self._fault("late-commission", seconds)

    async def _early(self, seconds: float, n: int) -> None:
        self._fault("early-commission", n % 2 == 1)

    async def _reorder(self, seconds: float, n: int) -> None:
        self._fault("reorder", n % 2 == 1)

    async def _link(self, seconds: float, n: int) -> None:
        self._fault("connectivity", 1100)
        await asyncio.sleep(seconds)
        self._fault("connectivity", 1101 if n % 2 else 1102)

    async def _forget(self, seconds: float, n: int) -> None:
        """The exchange killed and restarted: its orders are gone (its executions are IB's,
        kept by IB's servers: a restarted TWS gets them again)."""
        self.faults += 1
        exchange = self.sim.exchange
        for book in exchange.working.values():
            book.clear()
        exchange.orders.clear()
        exchange.by_perm.clear()
        self.sim.drop_connections()
        await self.sim.refuse_connections(seconds)

    async def _kill(self, seconds: float, n: int) -> None:
        self.faults += 1
        await self.blotter.kill()

    async def _disk_full(self, seconds: float, n: int) -> None:
        self.faults += 1
        db = self.blotter.journal._db
        with contextlib.suppress(Exception):
            pages = db.execute("PRAGMA page_count").fetchone()[0]
            db.execute(f"PRAGMA max_page_count = {pages}")
            self.disk_full = n + 1

    async def _disk_tick(self) -> None:
        if self.disk_full:
            self.disk_full -= 1
            if not self.disk_full:
                self._disk_back()

    def _disk_back(self) -> None:
        with contextlib.suppress(Exception):
            self.blotter.journal._db.execute("PRAGMA max_page_count = 1073741823")

    async def _second(self, seconds: float, n: int) -> None:
        """A second blotter on the same journal: it reads, and never makes the writer fail."""
        self.faults += 1
        with Journal(self.blotter.path) as other:
            other.fills_today()

    async def _export(self, seconds: float, n: int) -> None:
        self.faults += 1
        with Journal(self.blotter.path, read_only=True) as reader:
            reader.fills_between(datetime.fromtimestamp(0, UTC), datetime.now(UTC))

    # ---- quiet, then the invariant --------------------------------------------------------
    async def _quiet(self) -> None:
        for name, off in (("delay", 0), ("late-commission", 0), ("early-commission", False),
                          ("reorder", False), ("pacing", 0), ("dup", 0), ("correction", 0)):
            self.sim.fault(name, off)
        self.disk_full = 0
        self._disk_back()
        self.sim.send_connectivity(1102)
        await asyncio.sleep(0.3)

    async def _check(self) -> list[str]:
        try:
            await _until(lambda: not self._differences(), QUIET_TIMEOUT)
        except TimeoutError:
            return self._differences()
        return []

    def _differences(self) -> list[str]:
        blotter = self.blotter
        if not (blotter.connected and blotter.adapter._caught_up):
            return ["not connected and caught up"]
        problems = []
        expected = _latest(self.sim.exchange.fills)
        blotter.journal.commit()
        journaled = {f.key: (f.exec_id, f.shares, f.price, f.commission)
                     for f in blotter.journal.fills_between(datetime.fromtimestamp(0, UTC),
                                                            datetime.fromtimestamp(4e9, UTC))}
        held = {key: (f.execId, f.shares, f.price, f.commission) for key, f in expected.items()}
        if journaled != held:
            missing = sorted(set(held) - set(journaled))[:3]
            wrong = sorted(k for k in held if k in journaled and held[k] != journaled[k])[:3]
            problems.append(f"journal: {len(journaled)} fills, exchange {len(held)}; "
                            f"missing {missing}, differing "
                            f"{[(held[k], journaled[k]) for k in wrong]}")
        twice = [key for key, n in blotter.fill_lines.items() if n > 1]
        if twice:
            problems.append(f"logged more than once: {twice[:3]}")
        working = {r.perm_id for r in blotter.state.working_orders() if not r.is_ended}
        at_exchange = {o.permId for o in self.sim.exchange.by_perm.values()
                       if not o.is_done and o.request.transmit}
        if working != at_exchange:
            problems.append(f"working orders: shown {sorted(working)}, at the exchange "
                            f"{sorted(at_exchange)}")
        return problems


def _latest(fills: list[Fill]) -> dict[str, Fill]:
    """Each execution's latest revision, by its key."""
    latest: dict[str, Fill] = {}
    for fill in fills:
        key = exec_base(fill.execId)
        if key not in latest or fill.execId > latest[key].execId:
            latest[key] = fill
    return latest


async def _until(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.05)


async def explore(seed: int, folder: Path) -> Outcome:
    return await Run(seed, folder).play(schedule(seed))


def report(outcome: Outcome) -> str:
    steps = ", ".join(map(str, outcome.steps))
    return (f"seed {outcome.seed}: {'; '.join(outcome.violations)}\n  schedule: {steps}\n"
            f"  replay: python -m tests.faults.explorer --seed {outcome.seed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, help="replay one schedule")
    parser.add_argument("--schedules", type=int, default=20)
    parser.add_argument("--first", type=int, default=1, help="the first seed")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # the faults make every layer log: figures only here
    seeds = [args.seed] if args.seed is not None else range(args.first,
                                                             args.first + args.schedules)
    totals = Counter()
    started = time.monotonic()
    for seed in seeds:
        with TemporaryDirectory() as folder:
            outcome = asyncio.run(explore(seed, Path(folder)))
        totals.update(schedules=1, fills=outcome.fills, faults=outcome.faults,
                      violations=bool(outcome.violations))
        if outcome.violations:
            print(report(outcome), flush=True)
    print(f"{totals['schedules']} schedules, {totals['fills']} fills checked, "
          f"{totals['faults']} faults injected, {totals['violations']} violations "
          f"({time.monotonic() - started:.0f} s)")
    sys.exit(1 if totals["violations"] else 0)


if __name__ == "__main__":
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    main()
