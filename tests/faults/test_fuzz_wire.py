"""Fuzzing over real sockets: malformed frames thrown at the simulator hurt only their sender,
and odd messages thrown at the blotter are logged, never fatal."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import struct
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ib_async import IB

from ib_blotter.sim.requests import HANDLERS
from ib_blotter.sim.simulator import Simulator
from ib_blotter.sim.wire import frame

from .conftest import HOST, Harness, wait_until
from .test_fuzz_parsers import FIELD

# Each example shares the test's simulator (that is the point: it must keep serving).
LIVE_FUZZ = settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
JUNK_FRAMES = st.one_of(
    st.binary(max_size=48),  # not even framing
    st.lists(FIELD, max_size=12).map(frame),  # framing, junk fields
    st.tuples(st.sampled_from(sorted(HANDLERS)), st.lists(FIELD, max_size=30))
      .map(lambda t: frame([t[0], *t[1]])),  # a real request id with a junk body
    st.integers(0, 2**32 - 1).map(lambda n: struct.pack(">I", n)),  # a length, no body
)
CLIENT_IDS = itertools.count(100)


@pytest.fixture
async def bystander(sim: Simulator) -> AsyncIterator[IB]:
    ib = IB()
    await ib.connectAsync(HOST, sim.port, clientId=7, timeout=10)
    try:
        yield ib
    finally:
        ib.disconnect()


@LIVE_FUZZ
@given(opening=st.sampled_from(["nothing", "hello", "handshake"]),
       chunks=st.lists(JUNK_FRAMES, min_size=1, max_size=6))
@example(opening="hello", chunks=[frame([])])  # an empty version message
@example(opening="handshake", chunks=[frame([]), frame(["3"]), frame([""])])
async def test_malformed_frames_hurt_only_their_sender(
    sim: Simulator, bystander: IB, opening: str, chunks: list[bytes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    serving = len(sim._tasks)  # connections being served now: the bystander's
    _reader, writer = await asyncio.open_connection(HOST, sim.port)
    if opening != "nothing":
        writer.write(b"API\0" + frame(["v157..178"]))
    if opening == "handshake":
        writer.write(frame([71, 2, next(CLIENT_IDS), ""]))
    for chunk in chunks:
        writer.write(chunk)
    with contextlib.suppress(ConnectionError):  # the simulator may have hung up already
        await writer.drain()
    writer.close()
    await wait_until(lambda: len(sim._tasks) == serving, "the junk connection to end")
    assert await asyncio.wait_for(bystander.reqCurrentTimeAsync(), 10) is not None
    crashes = [r.getMessage() for r in caplog.records
               if r.name == "asyncio" and r.levelno >= logging.ERROR]
    assert not crashes, crashes


@LIVE_FUZZ
@given(message=st.tuples(st.integers(0, 120), st.lists(FIELD, max_size=30)))
async def test_odd_messages_from_ib_never_stop_the_blotter(
    sim: Simulator, harness: Harness, message: tuple[int, list[str]]
) -> None:
    msg_id, fields = message
    if msg_id in (9, 15):  # nextValidId / managedAccounts re-seed ib_async itself: not odd
        return
    sim.sessions[1].send([msg_id, *fields])
    # The next real exchange works, and the adapter still holds the socket.
    assert await asyncio.wait_for(harness.adapter.ib.reqCurrentTimeAsync(), 10) is not None
    await wait_until(lambda: harness.adapter.ib.isConnected(), "the connection")
    assert 1 in sim.sessions
