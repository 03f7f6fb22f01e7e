"""A connect that takes long because IB is busy telling: the connect's timeout is for an IB
that says nothing, not for one still sending the day's working orders (TWS sends a client's
open orders before nextValidId, which ib_async's handshake waits for)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ib_blotter.ib import convert
from ib_blotter.ib.adapter import IBAdapter
from ib_blotter.ib.errors import IBConnectError
from ib_blotter.ib.sync import READ_CHUNK
from ib_blotter.sim.model import OrderRequest, SimContract
from ib_blotter.sim.session import Session
from ib_blotter.sim.simulator import Simulator
from ib_blotter.state.blotter import BlotterState
from ib_blotter.state.records import ConnectionState

from ..waiting import wait_until
from .conftest import HOST

CLIENT = 1
WORKING = 3_000  # ib_async reads them in well over TIMEOUT
TIMEOUT = 0.25


def rest_orders(sim: Simulator, count: int) -> None:
    con_id = sim.instrument_id("AAPL")
    for order_id in range(1, count + 1):
        sim.exchange.place(CLIENT, order_id, SimContract(conId=con_id), OrderRequest(
            action="BUY", totalQuantity=100, orderType="LMT", lmtPrice=90.0, tif="GTC"))


async def test_a_connect_still_receiving_its_orders_does_not_time_out(sim: Simulator) -> None:
    rest_orders(sim, WORKING)
    state = BlotterState()
    adapter = IBAdapter(state, client_id=CLIENT)
    try:
        await adapter.connect(HOST, sim.port, timeout=TIMEOUT)
        assert state.connection.state is ConnectionState.CONNECTED
        assert len(state.working_orders()) == WORKING
    finally:
        adapter.disconnect()


async def test_an_ib_that_says_nothing_still_times_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1 << 16)  # takes the hello, answers nothing
        await asyncio.sleep(10)

    server = await asyncio.start_server(silent, HOST, 0)
    port = server.sockets[0].getsockname()[1]
    adapter = IBAdapter(BlotterState(), client_id=CLIENT)
    try:
        started = asyncio.get_running_loop().time()
        with pytest.raises(IBConnectError):  # as before: a guard, not a finding
            await adapter.connect(HOST, port, timeout=TIMEOUT)
        assert asyncio.get_running_loop().time() - started < 10 * TIMEOUT
    finally:
        adapter.disconnect()
        server.close()


async def test_each_downloaded_order_is_taken_once(sim: Simulator,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """TWS's download of the working orders, then reqAllOpenOrders' answer and the statuses:
    each order is made a row once, as it stands at the sync's end (10,000 orders took 20,000)."""
    rest_orders(sim, 50)
    made: list[int] = []
    order_row = convert.order_row

    def counted(trade: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(trade.order.permId)
        return order_row(trade, *args, **kwargs)

    monkeypatch.setattr(convert, "order_row", counted)
    adapter = IBAdapter(BlotterState(), client_id=CLIENT)
    try:
        await adapter.connect(HOST, sim.port)
        assert len(made) == 50 and len(set(made)) == 50
    finally:
        adapter.disconnect()


async def test_the_download_is_read_in_small_chunks_too(sim: Simulator) -> None:
    """The working orders TWS sends at the handshake come in reads of READ_CHUNK, as the
    catch-up does: a key typed meanwhile waited behind 256 KiB reads (150 ms each)."""
    rest_orders(sim, WORKING)
    adapter = IBAdapter(BlotterState(), client_id=CLIENT)
    sizes: list[int] = []
    adapter.ib.client.conn.hasData += lambda chunk: sizes.append(len(chunk))
    try:
        await adapter.connect(HOST, sim.port)
        assert len(sizes) > 10 and max(sizes[1:]) <= READ_CHUNK  # after the first read
    finally:
        adapter.disconnect()


async def test_disconnecting_during_the_catch_up_ends_it_at_once(sim: Simulator) -> None:
    """ib_async 2.1.0's disconnect forgets the requests it awaits without ending them: a
    catch-up in flight waited its whole minute (a quit, a test's teardown)."""
    handle = sim.handle

    def no_executions(session: Session, message: list[str]) -> None:
        if message and message[0] != "7":  # reqExecutions: never answered
            handle(session, message)

    sim.handle = no_executions  # type: ignore[method-assign]
    state = BlotterState()
    adapter = IBAdapter(state, client_id=CLIENT)
    connecting = asyncio.ensure_future(adapter.connect(HOST, sim.port))
    await wait_until(lambda: state.connection.state is ConnectionState.CONNECTED, "connected")
    adapter.disconnect()
    await asyncio.wait_for(connecting, 2.0)
