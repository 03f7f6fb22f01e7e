"""ib_async's log-only formatting made cheap (seam.short_log_forms): the pinned ib_async reads
a day exactly as before (the same events with the same objects, the same state), without
building the whole repr of every order, status, fill and report it reads.

The day is recorded off a real socket (the simulator, a raw client as the master client:
orders placed, modified, partly filled, cancelled, market orders sweeping levels, then
answers to reqOpenOrders, reqExecutions and reqCompletedOrders) and fed to fresh IBs.
"""

from __future__ import annotations

import asyncio
import logging
import re
import struct
from collections.abc import Iterator

import ib_async
import pytest

from ib_blotter.ib import seam
from ib_blotter.ib.adapter import IBAdapter
from ib_blotter.sim.events import OrderEvent
from ib_blotter.sim.model import OrderRequest, SimContract
from ib_blotter.sim.simulator import SimConfig, Simulator
from ib_blotter.sim.wire import API_HELLO, FrameReader, frame
from ib_blotter.state.blotter import BlotterState

MASTER, OTHER = 1, 2
SERVER_VERSION = 178
EXECUTIONS_REQ = 3
LOGGED = (ib_async.Trade, ib_async.Fill, ib_async.Execution, ib_async.CommissionReport)
WHEN = re.compile(r"datetime\.datetime\([^)]*\)")  # when ib_async read it: differs per run


@pytest.fixture
def ib_async_as_it_comes() -> Iterator[None]:
    seam.short_log_forms(on=False)
    try:
        yield
    finally:
        seam.short_log_forms(on=False)


async def record_a_day() -> list[bytes]:
    async with Simulator(SimConfig(port=0, pace=0, master_client_id=MASTER,
                                   accounts=("DU1",))) as sim:
        reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
        writer.write(API_HELLO + frame(["v157..178"]))
        frames = FrameReader(max_frame=1 << 24)
        received: list[list[str]] = []
        while not received:
            received += frames.feed(await reader.read(1 << 16))
        writer.write(frame([71, 2, MASTER, ""]))  # startApi
        while MASTER not in sim.sessions:
            await asyncio.sleep(0.01)
        _trade(sim)
        writer.write(frame([5, 1]))  # reqOpenOrders
        writer.write(frame([7, 3, EXECUTIONS_REQ, 0, "", "", "", "", "", ""]))  # reqExecutions
        writer.write(frame([99, 0]))  # reqCompletedOrders
        while not received[-1] or received[-1][0] != "102":  # completedOrdersEnd
            received += frames.feed(await reader.read(1 << 16))
        writer.close()
    replies = [fields for fields in received[1:] if fields and fields[0] not in {"9", "15"}]
    return [_encode(fields) for fields in replies]


def _trade(sim: Simulator) -> None:
    exchange = sim.exchange
    con_id = sim.instrument_id("AAPL")
    sim.set_quote("AAPL", 187.50, 187.51, size=100)
    for order_id in range(1, 9):
        terms = {"action": "BUY", "totalQuantity": 1000, "orderType": "LMT", "tif": "DAY"}
        exchange.place(OTHER, order_id, SimContract(conId=con_id),
                       OrderRequest(lmtPrice=180.0, **terms))  # type: ignore[arg-type]
        exchange.place(OTHER, order_id, SimContract(conId=con_id),
                       OrderRequest(lmtPrice=180.5, **terms))  # type: ignore[arg-type]
        order = exchange.orders[(OTHER, order_id)]
        order.filled += 100
        order.avgFillPrice = order.lastFillPrice = 180.5
        sim.notify(OrderEvent(order, open_order=False))
        if order_id % 2:
            exchange.cancel(OTHER, order_id)
    for order_id in range(9, 12):
        exchange.place(OTHER, order_id, SimContract(conId=con_id),
                       OrderRequest(action="SELL", totalQuantity=250, orderType="MKT"))


def _encode(fields: list[str]) -> bytes:
    body = "".join(f"{field}\0" for field in fields).encode()
    return struct.pack(">I", len(body)) + body


def fresh_ib() -> ib_async.IB:
    """An IB that reads the recorded day as the answers to its own requests."""
    ib = ib_async.IB()
    ib.client._serverVersion = ib.client.decoder.serverVersion = SERVER_VERSION
    for request in ("openOrders", EXECUTIONS_REQ, "completedOrders"):
        ib.wrapper.startReq(request)
    return ib


def read(day: list[bytes]) -> tuple[list[str], list[str]]:
    """A fresh IB reads the day: every event it emits (name and arguments, as ib_async's reprs
    say them), and what it holds after."""
    ib = fresh_ib()
    events: list[str] = []
    for name in ib.events:
        getattr(ib, name).connect(
            lambda *args, name=name: events.append(WHEN.sub("T", f"{name}{args!r}")))
    ib.client._onSocketHasData(b"".join(day))
    wrapper = ib.wrapper
    held = [repr(wrapper.trades), repr(wrapper.permId2Trade), repr(wrapper.fills),
            *(repr(wrapper._results.get(name)) for name in
              ("openOrders", EXECUTIONS_REQ, "completedOrders"))]
    return events, [WHEN.sub("T", text) for text in held]


async def test_the_pinned_ib_async_reads_the_same_events_and_objects(
    ib_async_as_it_comes: None,
) -> None:
    day = await record_a_day()
    as_it_comes = read(day)
    seam.short_log_forms()
    with_short_forms = read(day)
    events, held = as_it_comes
    assert any(e.startswith("execDetailsEvent") for e in events)  # the day has it all
    assert any(e.startswith("commissionReportEvent") for e in events)
    assert "Cancelled" in "".join(events)
    assert "Fill(" in held[2] and "Trade(" in held[0]  # and what ib_async holds after it
    assert with_short_forms == as_it_comes


async def test_reading_a_day_builds_no_repr_of_what_ib_async_logs(
    ib_async_as_it_comes: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = await record_a_day()
    built: list[str] = []
    for kind in LOGGED:
        monkeypatch.setattr(kind, "__repr__", _counted(kind.__repr__, built))
    ib = fresh_ib()
    IBAdapter(BlotterState(), ib, client_id=MASTER)  # what the app makes: it turns them on
    ib.client._onSocketHasData(b"".join(day))
    assert built == []


def test_the_log_lines_still_name_each_object(ib_async_as_it_comes: None,
                                               caplog: pytest.LogCaptureFixture) -> None:
    seam.short_log_forms()
    trade = ib_async.Trade(ib_async.Stock("AAPL", "SMART", "USD"),
                           ib_async.LimitOrder("BUY", 100, 187.5, orderId=7, permId=99),
                           ib_async.OrderStatus(status="Submitted"))
    with caplog.at_level(logging.INFO, logger="ib_async"):
        logging.getLogger("ib_async.wrapper").info(f"openOrder: {trade}")
    assert caplog.messages == [
        "openOrder: Trade(orderId=7, clientId=0, permId=99, BUY 100 AAPL LMT, status=Submitted)"]
    assert repr(trade).startswith("Trade(contract=Stock(")  # repr() is still ib_async's own
    assert str(trade) == repr(trade)


def _counted(original: object, built: list[str]) -> object:
    def counted_repr(self: object) -> str:
        built.append(type(self).__name__)
        return original(self)  # type: ignore[operator]

    return counted_repr
