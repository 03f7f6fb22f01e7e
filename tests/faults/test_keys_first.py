"""Keys before IB's stream: while the trader's key is applied the adapter reads nothing from
the socket, so a key's many small steps don't each wait behind a read of a catch-up (keys took
600 ms during a 100,000-execution catch-up); the hold ends on its own if a key never settles."""

from __future__ import annotations

import asyncio

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
