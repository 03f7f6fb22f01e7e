"""The findings of adversarial testing, each as it was found: fills missed by a catch-up asked
from too late a point, commissions dropped when a fill came twice, orders left Submitted after
the exchange forgot them. Over real sockets, with the exchange's clock under the test's hand."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ib_blotter.ib import sync
from ib_blotter.journal import Journal
from ib_blotter.sim.model import OrderRequest, SimContract
from ib_blotter.sim.simulator import SimConfig, Simulator
from ib_blotter.state.records import ConnectionState, FillRow

from ..waiting import wait_until
from .conftest import Harness, start_harness

CLIENT = 1
DAY_START = 1_780_000_000.0  # a fixed exchange time: 2026-05-28 20:26:40 UTC


class Clock:
    """The exchange's clock: executions are stamped with it, and reqExecutions filters by it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock(DAY_START)


@pytest.fixture
async def exchange(clock: Clock) -> AsyncIterator[Simulator]:
    sim = Simulator(SimConfig(port=0, pace=0, seed=3, clock=clock))
    await sim.start()
    sim.set_quote("AAPL", 100.00, 100.01, last=100.00, size=10)
    yield sim
    await sim.stop()


def place(sim: Simulator, order_id: int, action: str, quantity: float,
          limit: float | None = None) -> None:
    """An order of our client, as placed earlier (or by another session of it)."""
    request = OrderRequest(action=action, totalQuantity=quantity,
                           orderType="LMT" if limit is not None else "MKT", lmtPrice=limit,
                           tif="GTC")
    sim.exchange.place(CLIENT, order_id, SimContract(conId=sim.instrument_id("AAPL")), request)


def on_request(sim: Simulator, msg_id: str, then: Callable[[], None]) -> None:
    """Run `then` as the exchange reads the client's request `msg_id`, before answering it."""
    handle = sim.handle

    def spy(session, message):  # type: ignore[no-untyped-def]
        if message and message[0] == msg_id:
            then()
        handle(session, message)

    sim.handle = spy  # type: ignore[method-assign]


def fill_resting(sim: Simulator) -> None:
    """The market trades through our resting buy at 99.00: a live execution, now."""
    sim.set_quote("AAPL", 98.90, 98.95, last=98.90, size=1000)


def exec_ids(fills: list[Any]) -> list[str]:
    """Exec ids of the blotter's FillRows or the exchange's Fills."""
    return sorted(getattr(f, "exec_id", None) or f.execId for f in fills)


async def test_a_fresh_blotter_gets_the_whole_day_though_a_fill_comes_live_as_it_connects(
    exchange: Simulator, clock: Clock, tmp_path: Path
) -> None:
    for order_id in range(1, 6):  # this morning: five fills
        place(exchange, order_id, "BUY" if order_id % 2 else "SELL", 5)
    clock.advance(3600)  # an hour later the blotter starts, with an empty journal
    place(exchange, 6, "BUY", 10, limit=99.00)
    # it fills once the blotter knows it (after the open orders, before the executions)
    on_request(exchange, "99", lambda: fill_resting(exchange))
    async with our_blotter(exchange, clock, tmp_path) as harness:
        await wait_until(lambda: len(exchange.exchange.fills) > 5, "the live fill")
        await every_fill_shown_and_journaled(exchange, harness, "the whole day")


async def test_after_an_outage_the_catch_up_starts_before_the_outage(
    exchange: Simulator, clock: Clock, tmp_path: Path
) -> None:
    place(exchange, 1, "BUY", 5)
    async with our_blotter(exchange, clock, tmp_path) as harness:
        await wait_until(lambda: len(harness.state.fills()) == len(exchange.exchange.fills),
                         "the morning's fill")
        place(exchange, 2, "BUY", 10, limit=99.00)
        place(exchange, 3, "SELL", 10, limit=101.00)
        await wait_until(lambda: len(harness.state.working_orders()) == 2, "two resting orders")
        refusing = asyncio.create_task(exchange.refuse_connections(1.0))
        await wait_until(lambda: not harness.connected, "the drop")
        clock.advance(60)
        exchange.set_quote("AAPL", 101.05, 101.10, last=101.05, size=1000)  # the sell fills
        clock.advance(400)  # a long outage, trading at both ends
        # the buy fills as the blotter comes back, after it has heard of the order again
        on_request(exchange, "99", lambda: fill_resting(exchange))
        await refusing
        await wait_until(lambda: harness.connected and len(exchange.exchange.fills) == 3,
                         "back, with a fill as it came back")
        await every_fill_shown_and_journaled(exchange, harness, "the outage's fills")


async def test_a_live_fill_during_the_catch_up_keeps_its_late_commission(
    exchange: Simulator, clock: Clock, tmp_path: Path
) -> None:
    for order_id in range(1, 6):
        place(exchange, order_id, "BUY" if order_id % 2 else "SELL", 5)
    place(exchange, 6, "BUY", 10, limit=99.00)
    exchange.fault("late-commission", 0.5)
    # the resting order fills as the executions are asked for: live, and in the answer too
    on_request(exchange, "7", lambda: fill_resting(exchange))
    async with our_blotter(exchange, clock, tmp_path) as harness:
        await wait_until(lambda: len(exchange.exchange.fills) > 5, "the live fill")
        everything = exec_ids(exchange.exchange.fills)
        await wait_until(lambda: exec_ids(harness.state.fills()) == everything
                         and all(f.commission is not None for f in harness.state.fills()),
                         lambda: "every fill with its commission: "
                                 f"{[(f.exec_id, f.commission) for f in harness.state.fills()]}")
        harness.journal.commit()
        journaled = _all_fills(harness.journal)
        assert exec_ids(journaled) == everything
        assert all(f.commission is not None for f in journaled), journaled


async def test_orders_the_exchange_forgot_are_not_left_working(
    exchange: Simulator, tmp_path: Path
) -> None:
    async with our_blotter(exchange, None, tmp_path) as harness:
        contract = await harness.contract("AAPL")
        harness.place(contract, "BUY", 5, limit=99.00)
        await wait_until(lambda: [r.status for r in harness.state.working_orders()]
                         == ["Submitted"], "the order working")
        forget_everything(exchange)  # killed and restarted: it knows no order any more
        await wait_until(lambda: harness.state.connection.state is not
                         ConnectionState.CONNECTED, "the drop")
        await wait_until(lambda: harness.connected, "back")
        await wait_until(lambda: not [r for r in harness.state.working_orders()
                                      if not r.is_ended],
                         lambda: f"no order left working: {harness.state.working_orders()}")
        [row] = harness.state.all_orders()
        assert "not at ib" in (row.status + row.last_message).lower()


@contextlib.asynccontextmanager
async def our_blotter(sim: Simulator, clock: Clock | None,
                      tmp_path: Path) -> AsyncIterator[Harness]:
    """The blotter of client 1, its wall clock the exchange's (as TWS's and ours agree)."""
    async for harness in start_harness(sim, tmp_path / "journal.sqlite", wall=clock):
        yield harness


def forget_everything(sim: Simulator) -> None:
    """What a killed and restarted exchange knows: nothing of its orders (the fills it made
    stay in its record of them, which tests compare against)."""
    for book in sim.exchange.working.values():
        book.clear()
    for order in list(sim.exchange.by_perm.values()):
        sim.exchange.orders.pop((order.clientId, order.orderId), None)
    sim.exchange.by_perm.clear()
    sim.drop_connections()


async def every_fill_shown_and_journaled(exchange: Simulator, harness: Harness, what: str
                                         ) -> None:
    """Every execution of the exchange on the blotter's screen, and in its journal."""
    everything = exec_ids(exchange.exchange.fills)
    await wait_until(lambda: exec_ids(harness.state.fills()) == everything,
                     lambda: f"{what}: {exec_ids(harness.state.fills())} shown of {everything}")
    harness.journal.commit()
    assert exec_ids(_all_fills(harness.journal)) == everything


def _all_fills(journal: Journal) -> list[FillRow]:
    return journal.fills_between(datetime.fromtimestamp(0, UTC), datetime.fromtimestamp(4e9, UTC))


async def test_while_caught_up_the_journal_vouches_for_the_recent_past(
    exchange: Simulator, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So a restart after a kill -9 asks IB only for the last minutes, not the whole day."""
    monkeypatch.setattr(sync, "VOUCH_EVERY", 0.05)
    place(exchange, 1, "BUY", 5)
    async with our_blotter(exchange, clock, tmp_path) as harness:
        await wait_until(lambda: harness.state.fills(), "the fill")
        scope = harness.adapter._vouch_scope()
        await wait_until(lambda: harness.journal.vouched(scope) == clock.now, "the first vouch")
        clock.advance(120)
        await wait_until(lambda: (harness.journal.commit() or
                                  harness.journal.vouched(scope)) == clock.now,
                         "a vouch two minutes later, while connected")


async def test_an_order_heard_of_during_the_resync_is_not_taken_for_a_vanished_one(
    exchange: Simulator, clock: Clock, tmp_path: Path
) -> None:
    async with our_blotter(exchange, clock, tmp_path) as harness:
        exchange.drop_connections()
        await wait_until(lambda: not harness.connected, "the drop")
        # placed as IB is asked for the completed orders: told live, after the open orders
        on_request(exchange, "99", lambda: place(exchange, 7, "BUY", 10, limit=99.00))
        await wait_until(lambda: harness.connected and harness.adapter._caught_up, "back")
        await wait_until(lambda: [r.status for r in harness.state.working_orders()]
                         == ["Submitted"], lambda: f"{harness.state.working_orders()}")
        said = " ".join(line.text for line in harness.state.log_lines())
        assert "not at IB" not in said, said


async def test_a_fill_during_the_resync_is_not_undone_by_a_status_sent_out_of_order(
    exchange: Simulator, clock: Clock, tmp_path: Path
) -> None:
    place(exchange, 1, "BUY", 10, limit=99.00)
    async with our_blotter(exchange, clock, tmp_path) as harness:
        await wait_until(lambda: harness.state.working_orders(), "the resting order")
        exchange.drop_connections()
        await wait_until(lambda: not harness.connected, "the drop")
        exchange.fault("reorder", True)  # IB sends statuses out of order sometimes
        on_request(exchange, "16", lambda: fill_resting(exchange))  # it fills as we sync
        await wait_until(lambda: harness.connected and harness.adapter._caught_up, "back")
        exchange.fault("reorder", False)
        await asyncio.sleep(0.2)
        [row] = harness.state.all_orders()
        assert (row.status, row.filled) == ("Filled", 10), row


async def test_a_caught_up_fill_keeps_its_time_though_tws_sends_it_without_a_zone(
    exchange: Simulator, clock: Clock, tmp_path: Path
) -> None:
    """At server version 178 TWS writes execution times in its own zone, with none named
    ("20261201  09:56:00"): read in the host's zone they were hours off."""
    place(exchange, 1, "BUY", 5)
    async with our_blotter(exchange, clock, tmp_path) as harness:
        await wait_until(lambda: harness.state.fills(), "the caught-up fill")
        [fill] = harness.state.fills()
        [executed] = exchange.exchange.fills
        assert abs(fill.time.timestamp() - executed.timestamp) < 2, (fill.time, executed)
