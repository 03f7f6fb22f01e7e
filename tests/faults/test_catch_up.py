"""Connecting to a day already under way: the working orders first, the day's executions behind
them (each once, with its commission, journaled), and ib_async left holding none of them."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from ib_blotter.ib import seam, sync
from ib_blotter.ib.adapter import IBAdapter
from ib_blotter.ib.sync import FEW_MISSED_WITHIN
from ib_blotter.journal import Journal
from ib_blotter.sim import outgoing as out
from ib_blotter.sim.model import OrderRequest, SimContract
from ib_blotter.sim.session import Session
from ib_blotter.sim.simulator import Simulator
from ib_blotter.state.blotter import BlotterState, Change, ChangeKind
from ib_blotter.state.records import ConnectionState, OrderSpec

from .. import trading
from ..waiting import wait_until
from .conftest import HOST

CLIENT = 1
RESTING = 12
SWEEPS = 30  # market orders, each filled at several price levels


def trade_earlier_today(sim: Simulator) -> None:
    """What our client did before this connect: orders still working, and filled ones."""
    con_id = sim.instrument_id("AAPL")
    sim.set_quote("AAPL", 100.00, 100.01, size=10)
    for order_id in range(1, RESTING + 1):
        sim.exchange.place(CLIENT, order_id, SimContract(conId=con_id), OrderRequest(
            action="BUY", totalQuantity=100, orderType="LMT", lmtPrice=90.0, tif="GTC"))
    for order_id in range(RESTING + 1, RESTING + SWEEPS + 1):
        side = "BUY" if order_id % 2 else "SELL"
        sim.exchange.place(CLIENT, order_id, SimContract(conId=con_id), OrderRequest(
            action=side, totalQuantity=45, orderType="MKT"))


class Connect:
    """The adapter, the state and a journal; what the state held when it first said CONNECTED."""

    def __init__(self, tmp_path: Path) -> None:
        self.state = BlotterState()
        self.journal = Journal(tmp_path / "journal.sqlite")
        self.adapter = IBAdapter(self.state, client_id=CLIENT, journal=self.journal)
        self.at_connected: tuple[int, int] | None = None  # (working orders, fills)
        self.state.subscribe(self._seen)

    def _seen(self, change: Change) -> None:
        connected = self.state.connection.state is ConnectionState.CONNECTED
        if change.kind is ChangeKind.CONNECTION and connected and self.at_connected is None:
            self.at_connected = (len(self.state.working_orders()), len(self.state.fills()))

    async def __aenter__(self) -> Connect:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.adapter.disconnect()
        self.journal.close()


@pytest.fixture
def day(sim: Simulator) -> Simulator:
    trade_earlier_today(sim)
    assert len(sim.exchange.fills) > 2 * SWEEPS  # each sweep took several levels
    return sim


async def test_the_working_orders_are_shown_before_the_days_executions(
    day: Simulator, tmp_path: Path
) -> None:
    async with Connect(tmp_path) as blotter:
        await blotter.adapter.connect(HOST, day.port)
        # Connected with every working order and not one execution yet: they come after.
        assert blotter.at_connected == (RESTING, 0)
        held = sorted(fill.execId for fill in day.exchange.fills)
        shown = blotter.state.fills()
        assert sorted(fill.exec_id for fill in shown) == held
        assert all(fill.commission is not None for fill in shown)
        journaled = blotter.journal.fills_today()
        assert sorted(fill.exec_id for fill in journaled) == held
        assert all(fill.commission is not None for fill in journaled)
        said = [line.text for line in blotter.state.log_lines()]
        assert f"Caught up on {len(held)} executions from IB" in said


async def test_ib_async_keeps_no_fill_once_it_is_shown_with_its_commission(
    day: Simulator, tmp_path: Path
) -> None:
    async with Connect(tmp_path) as blotter:
        await blotter.adapter.connect(HOST, day.port)
        ib = blotter.adapter.ib
        assert blotter.state.fills() and not ib.wrapper.fills
        [(contract, _spec)] = await blotter.adapter.resolve("AAPL")
        before = len(blotter.state.fills())
        trading.place(blotter.adapter, contract,
                      OrderSpec(side="BUY", quantity=5, order_type="MKT"))
        await wait_until(lambda: len(blotter.state.fills()) > before
                         and blotter.state.fills()[-1].commission is not None,
                         "the live fill and its commission")
        assert not ib.wrapper.fills
        assert not any(trade.fills for trade in ib.trades())


async def test_a_fill_of_an_order_ib_async_does_not_know_still_brings_its_commission(
    day: Simulator, tmp_path: Path
) -> None:
    """ib_async reports a commission only for an order it knows; an execution whose order is
    neither open nor among the completed ones must still be shown with its commission."""
    handle = day.handle

    def no_completed_orders(session: Session, message: list[str]) -> None:
        if message and message[0] == "99":  # reqCompletedOrders: answer with the end alone
            session.send(out.completed_orders_end())
            return
        handle(session, message)

    day.handle = no_completed_orders  # type: ignore[method-assign]
    async with Connect(tmp_path) as blotter:
        await blotter.adapter.connect(HOST, day.port)
        shown = blotter.state.fills()
        assert len(shown) == len(day.exchange.fills)
        assert all(fill.commission is not None for fill in shown)
        assert not blotter.adapter.ib.wrapper.fills


def requests_in_order(sim: Simulator) -> list[str]:
    """The message ids the simulator is sent, in the order it reads them."""
    handle, asked = sim.handle, []

    def recording(session: Session, message: list[str]) -> None:
        if message:
            asked.append(message[0])
        handle(session, message)

    sim.handle = recording  # type: ignore[method-assign]
    return asked


async def test_a_restart_shows_what_it_missed_before_everyones_orders_are_read_again(
    day: Simulator, tmp_path: Path
) -> None:
    """The journal vouches for all but the last minutes: those executions are few, so they are
    asked for ahead of reqAllOpenOrders (10,000 working orders read a second time take seconds)
    and are on screen by the time the blotter says connected."""
    async with Connect(tmp_path) as first:
        await first.adapter.connect(HOST, day.port)
    con_id = day.instrument_id("AAPL")
    for order_id in range(500, 503):  # filled while the blotter was away
        day.exchange.place(CLIENT, order_id, SimContract(conId=con_id),
                           OrderRequest(action="BUY", totalQuantity=45, orderType="MKT"))
    missed = {fill.execId for fill in day.exchange.fills if fill.orderId >= 500}
    asked = requests_in_order(day)
    async with Connect(tmp_path) as again:
        await again.adapter.connect(HOST, day.port)
        assert asked.index("7") < asked.index("16")  # reqExecutions, then reqAllOpenOrders
        assert again.at_connected is not None
        working, fills = again.at_connected
        assert working == RESTING and fills >= len(missed)
        assert missed <= {fill.exec_id for fill in again.state.fills()}


async def test_after_a_long_time_away_the_orders_are_read_before_what_was_missed(
    day: Simulator, tmp_path: Path
) -> None:
    """Vouched for, but longer ago than FEW_MISSED_WITHIN: the missed executions may be many."""
    async with Connect(tmp_path) as first:
        await first.adapter.connect(HOST, day.port)
    asked = requests_in_order(day)
    async with Connect(tmp_path) as again:
        away = FEW_MISSED_WITHIN.total_seconds() + 60
        again.adapter.wall = lambda: time.time() + away
        await again.adapter.connect(HOST, day.port)
        assert asked.index("16") < asked.index("7")
        assert again.at_connected == (RESTING, 0)


async def test_a_first_start_reads_the_orders_before_the_days_executions(
    day: Simulator, tmp_path: Path
) -> None:
    """Nothing vouched for: the whole day's executions may be 100,000, so they wait for the
    working orders (the trader can act first)."""
    asked = requests_in_order(day)
    async with Connect(tmp_path) as blotter:
        await blotter.adapter.connect(HOST, day.port)
        assert asked.index("16") < asked.index("7")


class Answering:
    """An adapter waiting for IB's answer to reqExecutions, its count set by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(sync, "READING_EVERY", 0.01)
        self.state = BlotterState()
        adapter = IBAdapter(self.state, client_id=CLIENT)
        self.answer = seam.CountingAnswer()
        self.answered = asyncio.get_running_loop().create_future()
        self.done = asyncio.ensure_future(
            adapter._executions_answered(self.answered, self.answer, "", time.time(), 10))

    def said(self) -> list[str]:
        return [line.text for line in self.state.log_lines()]


async def test_a_long_catch_up_says_how_far_it_has_read_on_one_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The day's fills get their lines once IB's answer is in: meanwhile one line counts what
    was read, and ends as the catch-up's summary, above the fills it brought."""
    ib = Answering(monkeypatch)
    for count in (1_500, 42_000):
        ib.answer.count = count
        reading = [f"Reading IB's executions: {count:,} so far"]
        await wait_until(lambda: ib.said() == reading, f"{count:,} read")  # noqa: B023
    ib.answered.set_result(None)
    await ib.done
    assert ib.said() == ["Caught up on 42,000 executions from IB"]


async def test_a_catch_up_cut_short_says_so_on_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """connect() cancels the catch-up when the session's setup fails after asking."""
    ib = Answering(monkeypatch)
    ib.answer.count = 1_500
    await wait_until(ib.said, "the count")
    ib.done.cancel()
    with pytest.raises(asyncio.CancelledError):
        await ib.done
    assert ib.said() == ["Catch-up stopped after 1,500 executions "
                         "(the rest come on the next connect)"]
