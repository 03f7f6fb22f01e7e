"""One API client connection: handshake, request dispatch, subscriptions, bounded output."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import incoming as inc
from . import outgoing as out
from . import versions
from .faults import Shaper
from .wire import API_HELLO, MAX_FRAME, FrameReader, ProtocolError, frame

if TYPE_CHECKING:
    from .simulator import Simulator

log = logging.getLogger("ib_blotter.sim")

SIMULATOR_MARK = "ib-blotter-sim"  # said at the handshake, after the time: no TWS writes it
MAX_OUTPUT_BUFFER = 16 * 1024 * 1024  # a client this far behind is dropped, not buffered for
BULK_HIGH_WATER = 1024 * 1024  # a long reply waits for the client to read past this
HANDSHAKE_MAX_FRAME = 64 * 1024  # the version text and startApi take tens of bytes
UPDATE_TWS = 503  # IB's code for a client newer than its TWS
UPDATE_TWS_TEXT = "The TWS is out of date and must be upgraded."
TURN = 0.001  # seconds of one client's requests or long reply before the others get the loop


@dataclass(slots=True)
class Subscriptions:
    """What this client asked to keep hearing about."""

    market_data: dict[int, int] = field(default_factory=dict)  # reqId -> conId
    market_data_type: int = 1
    positions: bool = False
    account_updates: str = ""  # account name, when subscribed
    account_multi: dict[int, str] = field(default_factory=dict)  # reqId -> account
    pnl: dict[int, str] = field(default_factory=dict)  # reqId -> account
    pnl_single: dict[int, tuple[str, int]] = field(default_factory=dict)  # reqId -> (acct, conId)
    auto_bind: bool = False
    tick_by_tick: dict[int, tuple[int, str]] = field(default_factory=dict)  # reqId -> (conId, type)


class Session:
    """Reads frames from one client, hands requests to the simulator, writes replies."""

    def __init__(
        self, sim: Simulator, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.sim = sim
        self.reader = reader
        self.writer = writer
        self.client_id: int | None = None
        self.version = versions.MAX_VERSION  # agreed in the handshake
        self.subs = Subscriptions()
        host, port = writer.get_extra_info("peername")[:2]
        self.peer = f"{host}:{port}"
        self._frames = FrameReader(max_frame=HANDSHAKE_MAX_FRAME)
        self._frame_deadline: float | None = None  # when the frame being read is overdue
        self._turns = Turns()
        self._pending: deque[list[str]] = deque()
        self._bulk: deque[Iterator[list[object]]] = deque()  # long replies still to send
        self._sending_bulk = False
        self._behind: deque[list[object]] = deque()  # live messages waiting for a long reply
        self.announced: set[int] = set()  # perm ids of the orders this client was sent
        self._closed = False
        self._shaper = Shaper(sim.faults, self._write_fields)  # the traffic faults

    # ---- life cycle ----------------------------------------------------------------------
    async def run(self) -> None:
        try:
            async with asyncio.timeout(self.sim.config.handshake_timeout):
                ready = await self._handshake()
            if ready:
                self._frames.max_frame = MAX_FRAME
                if self._bulk:  # the working orders TWS downloads on connection
                    await self._send_bulk()
                await self._serve()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except TimeoutError:
            log.warning("%s: no handshake within %g s; closing", self.peer,
                        self.sim.config.handshake_timeout)
        except ProtocolError as exc:
            log.warning("client %s at %s: %s; closing", self.client_id, self.peer, exc)
        finally:
            self.close()

    async def _handshake(self) -> bool:
        hello = await self.reader.readexactly(len(API_HELLO))
        if hello != API_HELLO:
            raise ProtocolError("no API hello")
        offered = await self._next_message()
        if offered == []:
            raise ProtocolError("empty version message")
        if offered is None:
            return False
        try:
            self.version = versions.negotiate(offered[0])
        except versions.VersionError as exc:
            # TWS's answer to a client it cannot serve, then it hangs up
            log.warning("%s: %s; closing", self.peer, exc)
            self._shaper.send(out.error(-1, UPDATE_TWS, UPDATE_TWS_TEXT)[:-1])
            return False
        # the connection time names the simulator after TWS's zone: a mark no TWS writes, that
        # clients read as a string (ibapi, ib_insync and ib_async keep or drop it)
        self._shaper.send([self.version, f"{self.sim.exchange.time_text()} {SIMULATOR_MARK}"])
        start = await self._next_message()
        if start is None:
            return False
        return self.sim.register(self, _start_api_client_id(start))

    @staticmethod
    def _version_ok(text: str) -> bool:
        """Whether the offered range holds a version we speak (unreadable: ProtocolError)."""
        try:
            versions.negotiate(text)
        except versions.VersionError:
            return False
        return True

    async def _serve(self) -> None:
        while not self._closed:
            message = await self._next_message()
            if message is None:
                return
            paced_out = self._shaper.over_pace()
            if paced_out:
                self.error(-1, 100, paced_out)
                continue
            self.sim.handle(self, message)
            if self._bulk:
                await self._send_bulk()
            await self._turns.take()  # a flood of requests is answered in slices

    async def _next_message(self) -> list[str] | None:
        while not self._pending:
            if not await self._read_more():
                return None
        return self._pending.popleft()

    async def _read_more(self) -> bool:
        """Read what came; a frame begun and not completed within frame_timeout (while no
        other frame completes) means a stuck or hostile peer. A quiet client waits forever."""
        try:
            async with asyncio.timeout_at(self._frame_deadline):
                data = await self.reader.read(65536)
        except TimeoutError:
            timeout = self.sim.config.frame_timeout
            raise ProtocolError(f"a frame begun {timeout:g} s ago never arrived whole") from None
        if not data:
            return False
        messages = self._frames.feed(data)
        self._pending.extend(messages)
        if not self._frames.partial:
            self._frame_deadline = None
        elif messages or self._frame_deadline is None:
            self._frame_deadline = asyncio.get_running_loop().time() + self.sim.config.frame_timeout
        return True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.sim.unregister(self)
        self.writer.close()

    @property
    def closed(self) -> bool:
        return self._closed

    # ---- output --------------------------------------------------------------------------
    def send(self, fields: list[object]) -> None:
        """One message, built at 178, in the layout of this connection's version. While a long
        reply is going out it waits behind it: a client's messages are one stream, as TWS's
        (a live status that overtook an open-orders answer left a filled order working)."""
        if self._closed:
            return
        if self._bulk or self._sending_bulk:
            self._behind.append(fields)
        else:
            self._emit(fields)

    def _emit(self, fields: list[object]) -> None:
        self._shaper.send(versions.adapt(fields, self.version))

    def send_later(self, delay: float, fields: list[object]) -> None:
        asyncio.get_running_loop().call_later(delay, self.send, fields)

    def _write_fields(self, fields: list[object]) -> None:
        self._write(frame(fields))

    def _write(self, data: bytes) -> None:
        if self._closed:
            return
        if self.writer.transport.is_closing():  # the client went away mid-stream
            self.close()
            return
        self.writer.write(data)
        if self.writer.transport.get_write_buffer_size() > MAX_OUTPUT_BUFFER:
            log.warning("client %s is not reading; dropping it", self.client_id)
            self.writer.transport.abort()
            self.close()

    def send_bulk(self, messages: Iterable[list[object]]) -> None:
        """A long reply (a day's executions, thousands of orders): sent as fast as the client
        reads it, before the next request is read. All at once it could exceed the output
        limit and get a client that is reading dropped as one that is not."""
        self._bulk.append(iter(messages))

    async def _send_bulk(self) -> None:
        self._sending_bulk = True
        try:
            await self._send_replies()
        finally:
            self._sending_bulk = False
            while self._behind and not self._closed:
                self._emit(self._behind.popleft())

    async def _send_replies(self) -> None:
        while self._bulk and not self._closed:
            messages = self._bulk.popleft()
            try:
                for fields in messages:
                    self._emit(fields)
                    if self.writer.transport.get_write_buffer_size() > BULK_HIGH_WATER:
                        await self.writer.drain()
                    else:
                        await self._turns.take()  # the kernel takes megabytes: others run too
                    if self._closed:
                        return
            except (ConnectionError, asyncio.CancelledError):
                raise
            except Exception as exc:  # a reply we cannot build must not take the server down
                log.warning("client %s: reply failed: %r", self.client_id, exc)
                self.error(-1, 320, "Server error when reading an API client request.")

    def error(self, req_id: int, code: int, text: str) -> None:
        self.send(out.error(req_id, code, text))

class Turns:
    """Slices of one client's work: past TURN seconds of it, every other client gets a turn."""

    def __init__(self) -> None:
        self._ends = time.monotonic() + TURN

    async def take(self) -> None:
        if time.monotonic() >= self._ends:
            await asyncio.sleep(0)  # another client's read callback runs,
            await asyncio.sleep(0)  # then the task that answers it
            self._ends = time.monotonic() + TURN


def _start_api_client_id(start: list[str]) -> int:
    """The client id from startApi [71, version, clientId, capabilities]."""
    client_id, _capabilities = inc.parse_start_api(start)
    return client_id


