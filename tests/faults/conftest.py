"""The fault suite's harness: the adapter, the state and a journal, connected to a simulator
over a real loopback socket, kept connected by the adapter's own reconnect loop.

Every wait is for a state to be reached, with a generous timeout; nothing sleeps to assert.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ib_async
import pytest

from ib_blotter.ib.account_feed import AccountFeed
from ib_blotter.ib.adapter import IBAdapter
from ib_blotter.ib.backoff import Backoff
from ib_blotter.journal import Journal
from ib_blotter.sim.model import Fill, SimOrder
from ib_blotter.sim.simulator import SimConfig, Simulator
from ib_blotter.state.blotter import BlotterState, Change, ChangeKind
from ib_blotter.state.portfolio import PortfolioState
from ib_blotter.state.records import ConnectionState, OrderRow, OrderSpec

from .. import trading
from ..waiting import wait_until

HOST = "127.0.0.1"


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator(SimConfig(port=0, pace=0, seed=5))
    await simulator.start()
    simulator.set_quote("AAPL", 100.00, 100.01, last=100.00)
    try:
        yield simulator
    finally:
        await simulator.stop()


@dataclass
class Harness:
    """A blotter without its screen: what the app runs between IB and the widgets."""

    sim: Simulator
    state: BlotterState
    adapter: IBAdapter
    journal: Journal
    portfolio: PortfolioState
    connections: list[ConnectionState] = field(default_factory=list)  # every state, in order

    def on_change(self, change: Change) -> None:
        if change.kind is ChangeKind.CONNECTION:
            self.connections.append(self.state.connection.state)

    @property
    def connected(self) -> bool:
        return self.state.connection.state is ConnectionState.CONNECTED

    def times_connected(self) -> int:
        return self.connections.count(ConnectionState.CONNECTED)

    async def contract(self, symbol: str = "AAPL") -> ib_async.Contract:
        [(contract, _spec)] = await self.adapter.resolve(symbol)
        return contract

    def place(self, contract: ib_async.Contract, side: str, quantity: float,
              limit: float | None = None) -> None:
        order_type = "MKT" if limit is None else "LMT"
        trading.place(self.adapter, contract, OrderSpec(side=side, quantity=quantity,
                                                        order_type=order_type, limit=limit))

    # -- what the simulator holds, in the blotter's terms ----------------------------------

    def sim_orders(self) -> list[SimOrder]:
        mine = self.adapter.client_id
        return [o for o in self.sim.exchange.by_perm.values() if o.clientId == mine]

    def sim_fills(self) -> list[Fill]:
        return [f for f in self.sim.exchange.fills if f.clientId == self.adapter.client_id]

    def matches_sim(self) -> bool:
        return not self.differences()

    def differences(self) -> str:
        """What the state shows that the exchange does not hold, or the other way round."""
        problems = []
        ours = {r.perm_id: r for r in self.state.all_orders()}
        for order in self.sim_orders():
            row: OrderRow | None = ours.get(order.permId)
            if row is None:
                problems.append(f"order perm {order.permId} missing")
            elif (row.status, row.filled) != (str(order.status), order.filled):
                problems.append(f"order perm {order.permId}: {row.status} {row.filled} in the "
                                f"state, {order.status} {order.filled} at the exchange")
        shown = sorted(f.exec_id for f in self.state.fills())
        held = sorted(f.execId for f in self.sim_fills())
        if shown != held:
            problems.append(f"fills: {len(shown)} shown, {len(held)} at the exchange, "
                            f"missing {sorted(set(held) - set(shown))[:5]}, "
                            f"extra {sorted(set(shown) - set(held))[:5]}")
        if any(f.commission is None for f in self.state.fills()):
            problems.append("a fill without its commission")
        shown_positions = {(p.account, p.con_id): p.position for p in self.portfolio.positions()}
        if shown_positions != self.sim_positions():
            problems.append(f"positions {shown_positions} shown, {self.sim_positions()} held")
        return "; ".join(problems)

    def sim_positions(self) -> dict[tuple[str, int], float]:
        return {(account.name, con_id): holding.position
                for account in self.sim.exchange.accounts.values()
                for con_id, holding in account.holdings.items() if holding.position}


async def start_harness(sim: Simulator, journal_path: Path, *, client_id: int = 1,
                        readonly: bool = False,
                        wall: Callable[[], float] | None = None) -> AsyncIterator[Harness]:
    state = BlotterState(linger=0.2)
    journal = Journal(journal_path)
    adapter = IBAdapter(state, client_id=client_id, readonly=readonly, journal=journal)
    if wall is not None:
        adapter.wall = wall  # the blotter's wall clock: when it last knew it had every fill
    # Fast, seeded back-off: a refused gateway is retried within a fifth of a second.
    adapter.backoff = Backoff(first=0.05, cap=0.2, rng=random.Random(7))
    portfolio = PortfolioState()
    AccountFeed(adapter.ib, portfolio)
    harness = Harness(sim, state, adapter, journal, portfolio)
    state.subscribe(harness.on_change)
    task = asyncio.create_task(adapter.stay_connected(HOST, sim.port, timeout=5.0))
    try:
        await wait_until(lambda: harness.connected, "the first connection")
        yield harness
    finally:
        adapter.disconnect()
        await asyncio.wait_for(task, 5)
        journal.close()


@contextlib.asynccontextmanager
async def running_harness(sim: Simulator, journal_path: Path,
                          **options: Any) -> AsyncIterator[Harness]:
    """start_harness as `async with`."""
    async for harness in start_harness(sim, journal_path, **options):
        yield harness


@pytest.fixture
async def harness(sim: Simulator, tmp_path: Path) -> AsyncIterator[Harness]:
    async for running in start_harness(sim, tmp_path / "journal.sqlite"):
        yield running
