"""No client starves the simulator or the others: unfinished handshakes and half-sent frames
time out, connections are capped, a client holds at most 100 market-data lines (error 101),
and one client asking for much or reading slowly never slows another's replies.

The latency figures come from `python -m tests.sim.starvation` (the simulator and the greedy
client each in a process of their own); here the same scenarios run smaller.
"""

from __future__ import annotations

import asyncio
import struct

import pytest
from ib_async import IB

from ib_blotter.sim.model import OrderRequest, SimContract
from ib_blotter.sim.session import Session
from ib_blotter.sim.simulator import SimConfig, Simulator
from ib_blotter.sim.wire import API_HELLO, frame

from .conftest import HOST, SimClock, wait_until
from .starvation import Raw, latency_under, mkt_data

TIMEOUT = 0.3  # the handshake and half-sent frame time-outs these tests run with


@pytest.fixture
def sim_config(clock: SimClock) -> SimConfig:
    return SimConfig(port=0, pace=0, seed=7, clock=clock, handshake_timeout=TIMEOUT,
                     frame_timeout=TIMEOUT, max_connections=4)


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    """Whether the simulator hangs up within `seconds` (whatever it sent first)."""
    try:
        async with asyncio.timeout(seconds):
            while await reader.read(1 << 16):
                pass
    except TimeoutError:
        return False
    except ConnectionError:
        pass
    return True


@pytest.mark.parametrize("sent", [b"", API_HELLO, API_HELLO + frame(["v157..178"]),
                                  API_HELLO + struct.pack(">I", 40) + b"v157"],
                         ids=["nothing", "hello", "versions", "half a version"])
async def test_an_unfinished_handshake_times_out(sim: Simulator, sent: bytes) -> None:
    reader, writer = await asyncio.open_connection(HOST, sim.port)
    writer.write(sent)
    assert await closed_within(reader, 10 * TIMEOUT)
    await wait_until(lambda: not sim._tasks, "the connection to end")


async def test_a_frame_no_handshake_needs_is_refused_at_once(sim: Simulator) -> None:
    reader, writer = await asyncio.open_connection(HOST, sim.port)
    writer.write(API_HELLO + struct.pack(">I", 1 << 20) + b"v" * 1000)
    assert await closed_within(reader, TIMEOUT / 3)


async def test_a_half_sent_frame_times_out_but_a_quiet_client_stays(sim: Simulator) -> None:
    quiet = await Raw.connect(sim.port, client_id=1)
    stuck = await Raw.connect(sim.port, client_id=2)
    stuck.writer.write(struct.pack(">I", 1000) + b"49\0")  # a frame that never completes
    assert await closed_within(stuck.reader, 10 * TIMEOUT)
    await asyncio.sleep(3 * TIMEOUT)  # quiet for longer than both time-outs
    quiet.send([49, 1])
    assert (await quiet.until("49"))[0] == "49"
    assert set(sim.sessions) == {1}


async def test_a_slow_but_steady_sender_is_not_a_stuck_one(sim: Simulator) -> None:
    """Frames that keep completing, each one split across reads, are never timed out."""
    client = await Raw.connect(sim.port, client_id=1)
    ping = frame([49, 1])
    for _ in range(8):
        client.writer.write(ping[:3])
        await asyncio.sleep(TIMEOUT / 3)
        client.writer.write(ping[3:] + ping[:3])
        await asyncio.sleep(TIMEOUT / 3)
        client.writer.write(ping[3:])
    for _ in range(16):
        await client.until("49")


async def test_connections_are_capped(sim: Simulator) -> None:
    connected = [await Raw.connect(sim.port, client_id=n) for n in (1, 2, 3)]
    _reader, pending = await asyncio.open_connection(HOST, sim.port)  # the fourth: handshaking
    await wait_until(lambda: len(sim._tasks) == 4, "four connections")
    reader, _writer = await asyncio.open_connection(HOST, sim.port)
    assert await closed_within(reader, 1.0)  # the fifth is turned away
    pending.close()
    await wait_until(lambda: len(sim._tasks) == 3, "the handshaking one to go")
    ib = IB()
    await ib.connectAsync(HOST, sim.port, clientId=9, timeout=5)  # room again
    ib.disconnect()
    assert not any(c.writer.transport.is_closing() for c in connected)


async def first_error(client: Raw, code: str) -> list[str]:
    error = await client.until("4")
    while error[3] != code:
        error = await client.until("4")
    return error


async def test_the_hundred_and_first_line_gets_error_101(sim: Simulator) -> None:
    """TWS: 101 "Max number of tickers has been reached." for that request id (IB's message
    codes), 100 lines by default."""
    client = await Raw.connect(sim.port, client_id=1)
    for req_id in range(1, 102):
        client.send(mkt_data(req_id))
    error = await first_error(client, "101")
    assert (error[2], error[4]) == ("101", "Max number of tickers has been reached.")
    assert len(sim.sessions[1].subs.market_data) == 100
    client.send([2, 2, 7])  # cancelMktData frees a line
    client.send(mkt_data(200))
    await wait_until(lambda: 200 in sim.sessions[1].subs.market_data, "the line to be taken")


async def test_the_line_cap_is_configurable(clock: SimClock) -> None:
    async with Simulator(SimConfig(port=0, pace=0, clock=clock, max_market_data_lines=3)) as sim:
        client = await Raw.connect(sim.port, client_id=1)
        for req_id in range(1, 5):
            client.send(mkt_data(req_id))
        error = await first_error(client, "101")
        assert error[2] == "4" and sorted(sim.sessions[1].subs.market_data) == [1, 2, 3]


# ---- one client's load against another's replies ------------------------------------------
@pytest.mark.parametrize(
    "scenario, options",
    [("lines", {"lines": 20_000}), ("never-reads", {"lines": 20_000}),
     ("huge-reply", {"executions": 20_000, "settle": 1.0})],
)
async def test_one_clients_load_never_slows_anothers_replies(
    scenario: str, options: dict[str, float]
) -> None:
    """Before: B's p99 was 1,059 ms while A held 20,000 lines, 198 ms while A held them and
    did not read; its median 31 ms while A read 100,000 executions over and over."""
    latency = await latency_under(scenario, count=100, **options)
    assert latency.p50 < 10 and latency.p99 < 100, f"{scenario}: {latency}"


async def test_the_download_of_thousands_of_working_orders_is_sent_as_the_client_reads(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TWS's download of the working orders at connect is a long reply like any other, sent
    in slices as the client reads it (Session.send_bulk). All at once, in the handshake's
    own turn, 10,000 orders held the simulator's loop for half a second: with --sim, the
    blotter's own screen, and in the benchmarks the keys being measured."""
    con_id = sim.instrument_id("AAPL")
    orders = 2000
    for order_id in range(1, orders + 1):
        sim.exchange.place(1, order_id, SimContract(conId=con_id), OrderRequest(
            action="BUY", totalQuantity=1, orderType="LMT", lmtPrice=50.0, tif="GTC"))
    emitted, in_register = [0], [0]
    emit, register = Session._emit, sim.register

    def counting_emit(session: Session, fields: list[object]) -> None:
        emitted[0] += 1
        emit(session, fields)

    def counting_register(session: Session, client_id: int) -> bool:
        before = emitted[0]
        try:
            return register(session, client_id)
        finally:
            in_register[0] = emitted[0] - before

    monkeypatch.setattr(Session, "_emit", counting_emit)
    sim.register = counting_register  # type: ignore[method-assign]
    ib = IB()
    try:
        await ib.connectAsync(HOST, sim.port, clientId=1, timeout=20)
        assert len(ib.openTrades()) == orders
        assert in_register[0] < 10  # not the download's 4,001 messages in one turn
    finally:
        ib.disconnect()
