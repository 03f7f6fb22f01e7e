"""Server versions 157 to 178: the handshake answers the lower of the two maxima (or refuses a
range the simulator does not speak), and each version's layouts are read by ib_async and ibapi
at that version, both ways."""

from __future__ import annotations

import asyncio
import struct

import pytest

from ib_blotter.sim import incoming, outgoing, versions
from ib_blotter.sim.model import Status
from ib_blotter.sim.simulator import Simulator
from ib_blotter.sim.versions import Layout, adapt

from .test_codec import (
    ORDER_CASES,
    OrderCase,
    decode_ib_async,
    decode_ibapi,
    ib_async_sent,
    ibapi_sent,
    limit_request,
    one_message,
    sample_fill,
    sample_instrument,
    sim_order,
)

ALL = list(range(versions.MIN_VERSION, versions.MAX_VERSION + 1))
# ib_async reads openOrder's duration from 159 where TWS and ibapi send it from 158: no client
# offers 158 as its maximum, so ib_async is checked at every other version.
IB_ASYNC = [v for v in ALL if v != versions.DURATION]


@pytest.mark.parametrize(
    ("offered", "answer"),
    [("v157..178", 178), ("v100..176", 176), ("v100..222", 178), ("v157..157", 157),
     ("v176", 176), ("v100..178 +PACEAPI", 178)],
)
def test_the_lower_of_the_two_maxima(offered: str, answer: int) -> None:
    assert versions.negotiate(offered) == answer


@pytest.mark.parametrize("offered", ["v179..200", "v100..150", "v201"])
def test_a_range_we_do_not_speak_is_refused(offered: str) -> None:
    with pytest.raises(versions.VersionError):
        versions.negotiate(offered)


async def _hello(port: int, offered: str) -> list[list[str]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = offered.encode()
    writer.write(b"API\0" + struct.pack(">I", len(body)) + body)
    frames = []
    try:
        while True:
            (size,) = struct.unpack(">I", await asyncio.wait_for(reader.readexactly(4), 5))
            frames.append((await reader.readexactly(size)).decode().split("\0")[:-1])
            if len(frames[-1]) == 2:  # the connect ack
                break
    except asyncio.IncompleteReadError:
        pass
    writer.close()
    return frames


async def test_the_handshake_answers_the_clients_maximum(sim: Simulator) -> None:
    [ack] = await _hello(sim.port, "v157..176")
    assert ack[0] == "176"


async def test_the_handshake_refuses_with_tws_error_and_hangs_up(sim: Simulator) -> None:
    [refusal] = await _hello(sim.port, "v179..200")
    assert refusal[:4] == ["4", "2", "-1", "503"]
    assert refusal[4] == "The TWS is out of date and must be upgraded."


# ---- replies, cut to each version ---------------------------------------------------------
@pytest.mark.parametrize("version", IB_ASYNC)
def test_open_order_at_each_version_reaches_ib_async(version: int) -> None:
    fields = adapt(outgoing.open_order(sim_order(limit_request())), version)
    order_id, _, order, state = decode_ib_async(fields, version).only("openOrder")
    assert (order_id, order.lmtPrice, order.tif, order.permId) == (7, 101.25, "GTC", 90001)
    assert state.status == "PreSubmitted"


@pytest.mark.parametrize("version", ALL)
def test_open_order_at_each_version_reaches_ibapi(version: int) -> None:
    fields = adapt(outgoing.open_order(sim_order(limit_request())), version)
    order_id, _, order, state = decode_ibapi(fields, version=version).only("openOrder")
    assert (order_id, order.lmtPrice, order.tif, order.permId) == (7, 101.25, "GTC", 90001)
    assert state.status == "PreSubmitted"


@pytest.mark.parametrize("version", ALL)
def test_completed_order_at_each_version(version: int) -> None:
    order = sim_order(limit_request(), status=Status.FILLED, filled=100,
                      completedTime="20240102 10:00:01 US/Eastern",
                      completedStatus="Filled Size: 100")
    fields = adapt(outgoing.completed_order(order), version)
    _, decoded, state = decode_ib_async(fields, version).only("completedOrder")
    assert (decoded.filledQuantity, decoded.totalQuantity, state.status) == (100, 0, "Filled")
    _, decoded, state = decode_ibapi(fields, version=version).only("completedOrder")
    assert state.completedStatus == "Filled Size: 100"


@pytest.mark.parametrize("version", ALL)
def test_error_exec_details_and_contract_details_at_each_version(version: int) -> None:
    error = adapt(outgoing.error(7, 202, "Order Canceled - reason:"), version)
    assert decode_ib_async(error, version).only("error")[:3] == (7, 202, "Order Canceled - reason:")
    decode_ibapi(error, is_error=True, version=version)
    execution = adapt(outgoing.exec_details(-1, sample_fill()), version)
    _, _, fill = decode_ib_async(execution, version).only("execDetails")
    assert fill.shares == 100
    decode_ibapi(execution, version=version)
    details = adapt(outgoing.contract_details(4, sample_instrument()), version)
    _, cd = decode_ib_async(details, version).only("contractDetails")
    assert (cd.contract.conId, cd.minTick) == (265598, 0.01)
    _, cd = decode_ibapi(details, version=version).only("contractDetails")
    assert cd.contract.primaryExchange == "NASDAQ"


# ---- requests, read at each version -------------------------------------------------------
@pytest.mark.parametrize("version", ALL)
@pytest.mark.parametrize("case", ORDER_CASES[:3], ids=[c.name for c in ORDER_CASES[:3]])
def test_place_order_of_each_version_is_read_whole(case: OrderCase, version: int) -> None:
    contract, order = case.ibapi_objects()
    fields = one_message(ibapi_sent(lambda c: c.placeOrder(7, contract, order), version))
    _, _, request = incoming.parse_place_order(fields, Layout(version))
    for key, value in case.expected.items():
        assert getattr(request, key) == value, key
    contract, order = case.ib_async_objects()
    fields = one_message(ib_async_sent(lambda c: c.placeOrder(7, contract, order), version))
    _, _, request = incoming.parse_place_order(fields, Layout(version))
    for key, value in case.expected.items():
        assert getattr(request, key) == value, key
