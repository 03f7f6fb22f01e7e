"""Bad peers: garbage, unknown requests, malformed and oversized frames hurt only themselves."""

from __future__ import annotations

import asyncio
import struct

import pytest
from ib_async import IB

from ib_blotter.sim.simulator import Simulator
from ib_blotter.sim.wire import FrameReader, frame

from .conftest import HOST, TIMEOUT, Connect


class RawClient:
    """A hand-driven API connection, for sending what no real client would."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self._frames = FrameReader()
        self._pending: list[list[str]] = []

    @classmethod
    async def open(cls, sim: Simulator) -> RawClient:
        reader, writer = await asyncio.open_connection(HOST, sim.port)
        return cls(reader, writer)

    async def handshake(self, client_id: int) -> None:
        self.writer.write(b"API\0" + frame(["v157..178"]))
        [version, _time] = await self.receive()
        assert version == "178"
        self.send([71, 2, client_id, ""])
        await self.receive_until("9")  # nextValidId

    def send(self, fields: list[object]) -> None:
        self.writer.write(frame(fields))

    async def receive(self) -> list[str]:
        while not self._pending:
            data = await asyncio.wait_for(self.reader.read(65536), TIMEOUT)
            if not data:
                raise ConnectionError("closed by the simulator")
            self._pending += self._frames.feed(data)
        return self._pending.pop(0)

    async def receive_until(self, msg_id: str, code: str = "") -> list[str]:
        """The next message with this id (and, for errors, this code); others are skipped."""
        while True:
            message = await self.receive()
            if message[0] == msg_id and (not code or message[3] == code):
                return message

    async def closed_by_peer(self) -> bool:
        data = await asyncio.wait_for(self.reader.read(65536), TIMEOUT)
        while data:
            data = await asyncio.wait_for(self.reader.read(65536), TIMEOUT)
        return True

    def close(self) -> None:
        self.writer.close()


@pytest.fixture
async def raw(sim: Simulator) -> RawClient:
    client = await RawClient.open(sim)
    yield client
    client.close()


async def still_serves(connect: Connect) -> None:
    other: IB = await connect(7)
    assert await other.reqCurrentTimeAsync() is not None


async def test_garbage_handshake_is_closed(raw: RawClient, connect: Connect) -> None:
    raw.writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert await raw.closed_by_peer()
    await still_serves(connect)


async def test_unknown_message_id_is_answered_and_the_connection_lives(
    raw: RawClient, connect: Connect
) -> None:
    await raw.handshake(client_id=3)
    raw.send([999, 1])
    error = await raw.receive_until("4", code="320")
    assert error[2] == "-1"
    raw.send([49, 1])  # reqCurrentTime
    assert (await raw.receive_until("49"))[0] == "49"
    await still_serves(connect)


async def test_malformed_request_is_answered_and_the_connection_lives(
    raw: RawClient, connect: Connect
) -> None:
    await raw.handshake(client_id=3)
    raw.send([3, 5, "not", "an", "order"])
    await raw.receive_until("4", code="320")
    raw.send([49, 1])
    assert (await raw.receive_until("49"))[0] == "49"
    await still_serves(connect)


async def test_non_utf8_frame_closes_only_that_connection(raw: RawClient, connect: Connect) -> None:
    await raw.handshake(client_id=3)
    body = b"\xff\xfe\0"
    raw.writer.write(struct.pack(">I", len(body)) + body)
    assert await raw.closed_by_peer()
    await still_serves(connect)


async def test_oversized_frame_closes_only_that_connection(
    sim: Simulator, raw: RawClient, connect: Connect
) -> None:
    bystander = await connect(8)
    await raw.handshake(client_id=3)
    raw.writer.write(struct.pack(">I", 64 * 1024 * 1024) + b"49\0")
    assert await raw.closed_by_peer()
    assert 3 not in sim.sessions
    assert bystander.isConnected()
    assert await bystander.reqCurrentTimeAsync() is not None
    await still_serves(connect)


@pytest.mark.parametrize(
    "opening",
    [
        [b"API\0", frame(["vgarbage"])],
        [b"API\0", frame(["v157..178"]), frame([71, 2, "not-a-client-id", ""])],
    ],
    ids=["version-text", "client-id"],
)
async def test_unreadable_handshake_closes_only_that_connection(
    raw: RawClient, connect: Connect, caplog: pytest.LogCaptureFixture, opening: list[bytes]
) -> None:
    for chunk in opening:
        raw.writer.write(chunk)
    assert await raw.closed_by_peer()
    await still_serves(connect)
    assert not [r for r in caplog.records if r.name == "asyncio" and r.levelname == "ERROR"]
