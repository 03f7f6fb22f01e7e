"""A 1,000-fill storm through the whole app: nothing lost, nothing doubled, and the keys still
answer while it rages. Plus the app's own reconnect: the header, the refusal, `r`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import ib_async
import pytest
from textual.pilot import Pilot

from ib_blotter.config import Settings
from ib_blotter.ib.backoff import Backoff
from ib_blotter.sim.simulator import Simulator
from ib_blotter.state.blotter import Change, ChangeKind
from ib_blotter.state.records import ConnectionState, LogKind, LogLine, OrderSpec
from ib_blotter.ui.app import BlotterApp
from ib_blotter.ui.connection_bar import describe

from .. import trading
from .conftest import wait_until

FILLS_PER_ORDER = 10
ORDERS = 100


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[tuple[BlotterApp, Pilot]]:
    settings = Settings(sim=True, sim_pace=0.0, linger=0.5, journal_file=tmp_path / "j.sqlite")
    blotter = BlotterApp(settings)
    async with blotter.run_test(size=(120, 36)) as pilot:
        await wait_until(lambda: blotter.state.connection.state is ConnectionState.CONNECTED,
                         "the app to connect to its simulator")
        yield blotter, pilot


def sim_of(app: BlotterApp) -> Simulator:
    assert app.simulator is not None
    return app.simulator


async def aapl(app: BlotterApp) -> ib_async.Contract:
    [(contract, _spec)] = await app.adapter.resolve("AAPL")
    return contract


async def test_a_thousand_fill_storm_loses_nothing_and_keys_still_answer(
    app: tuple[BlotterApp, Pilot],
) -> None:
    blotter, pilot = app
    sim = sim_of(blotter)
    # One share at the touch, then 1.5, 2, ... a level: a 32-share order takes 10 levels.
    sim.set_quote("AAPL", 100.00, 100.01, last=100.00, size=1)
    contract = await aapl(blotter)
    fill_lines: list[str] = []

    def count(change: Change) -> None:
        if change.kind is ChangeKind.LOG and isinstance(change.key, LogLine) \
                and change.key.kind is LogKind.FILL:
            fill_lines.append(change.key.text)

    blotter.state.subscribe(count)
    key_latencies: list[float] = []
    for n in range(ORDERS):
        trading.place(blotter.adapter, contract, OrderSpec(side="BUY" if n % 2 else "SELL",
                                                  quantity=32, order_type="MKT"))
        if n % 10 == 0:  # a key while fills pour in: it must be handled, and soon
            before = blotter.blotter.show_all
            started = time.perf_counter()
            await pilot.press("a")
            await wait_until(lambda before=before: blotter.blotter.show_all is not before, "key a")
            key_latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0)
    await wait_until(lambda: len(blotter.state.fills()) >= ORDERS * FILLS_PER_ORDER,
                     lambda: f"the storm's fills ({len(blotter.state.fills())} so far)", 60)
    held = sorted(f.execId for f in sim.exchange.fills)
    assert len(held) == ORDERS * FILLS_PER_ORDER
    assert sorted(f.exec_id for f in blotter.state.fills()) == held
    assert len(fill_lines) == len(held)  # each fill logged once
    assert sorted(f.exec_id for f in blotter.journal.fills_today()) == held  # type: ignore[union-attr]
    assert max(key_latencies) < 2.0, key_latencies
    print(f"storm: key latency max {max(key_latencies) * 1000:.0f} ms")


async def test_the_app_shows_the_drop_refuses_changes_and_reconnects_on_r(
    app: tuple[BlotterApp, Pilot],
) -> None:
    blotter, pilot = app
    sim = sim_of(blotter)
    sim.set_quote("AAPL", 100.00, 100.01, last=100.00)
    contract = await aapl(blotter)
    trading.place(blotter.adapter, contract, OrderSpec(side="BUY", quantity=5, order_type="LMT",
                                              limit=99.00))
    orders = blotter.blotter.orders
    await wait_until(lambda: orders.selected is not None
                     and orders.selected.status == "Submitted", "the order in the table")
    blotter.adapter.backoff = Backoff(first=60, cap=60)  # only `r` brings it back in time

    sim.drop_connections()
    await wait_until(lambda: blotter.state.connection.retry_in is not None, "the header to wait")
    header = describe(blotter.state.connection, readonly=False).plain
    assert "reconnecting" in header and "r: now" in header
    await pilot.press("c")  # cancel the selected order: refused, with the reason
    await wait_until(lambda: any("Not connected" in n.message for n in blotter._notifications),
                     "the refusal")
    assert len(blotter.state.working_orders()) == 1

    await pilot.press("r")
    await wait_until(lambda: blotter.state.connection.state is ConnectionState.CONNECTED,
                     "the reconnect on r")
    [working] = [o for o in sim.exchange.by_perm.values() if not o.is_done]
    assert [r.perm_id for r in blotter.state.working_orders()] == [working.permId]
