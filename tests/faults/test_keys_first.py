"""Keys before IB's stream: while the trader's key is applied the adapter reads nothing from
the socket, so a key's many small steps don't each wait behind a read of a catch-up (keys took
600 ms during a 100,000-execution catch-up); the hold ends on its own if a key never settles."""

from __future__ import annotations

import asyncio

import ib_async
import pytest

from ib_blotter.ib import sync
from ib_blotter.ib.adapter import IBAdapter
from ib_blotter.sim.simulator import Simulator
from ib_blotter.state.blotter import BlotterState

from .conftest import HOST


async def test_nothing_is_read_from_ib_while_a_key_is_applied(sim: Simulator) -> None:
    adapter = IBAdapter(BlotterState(), client_id=1)
    try:
        await adapter.connect(HOST, sim.port)
        transport = adapter.ib.client.conn.transport
        release = adapter.hold_reading()
        assert not transport.is_reading()
        again = adapter.hold_reading()  # a second key meanwhile
        release()
        assert not transport.is_reading()
        again()
        again()  # released twice: counts once
        assert transport.is_reading()
    finally:
        adapter.disconnect()


async def test_a_hold_ends_by_itself(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "HOLD_AT_MOST", 0.05)
    adapter = IBAdapter(BlotterState(), client_id=1)
    try:
        await adapter.connect(HOST, sim.port)
        transport = adapter.ib.client.conn.transport
        adapter.hold_reading()
        await asyncio.sleep(0.2)
        assert transport.is_reading()
    finally:
        adapter.disconnect()


async def test_a_sync_takes_no_orders_while_a_key_is_applied(sim: Simulator) -> None:
    """10,000 synced orders are taken a chunk at a time: a chunk of 500 held a key 260 ms,
    and the key waited behind every chunk until the last."""
    adapter = IBAdapter(BlotterState(), client_id=1)
    trades = [(ib_async.Trade(ib_async.Stock("AAPL", "SMART", "USD"),
                              ib_async.LimitOrder("BUY", 1, 100.0, orderId=n, clientId=1)), None)
              for n in range(1, 3 * sync.RETAKE_CHUNK + 1)]
    try:
        await adapter.connect(HOST, sim.port)
        release = adapter.hold_reading()
        taking = asyncio.ensure_future(adapter._take_each(trades, from_sync=True))
        await asyncio.sleep(0.1)
        assert not taking.done()
        assert len(adapter.state.working_orders()) == sync.RETAKE_CHUNK  # one chunk, then none
        release()
        await asyncio.wait_for(taking, 5)
        assert len(adapter.state.working_orders()) == len(trades)
    finally:
        adapter.disconnect()
