"""A raw TWS API client for the golden traces: it records every server message as it crossed the
wire and names its fields as the traces do.

Requests are built by IB's own `ibapi` (its EClient writes into our socket), so the simulator is
driven exactly as IB's client drives TWS; replies are kept as raw fields and named by position
(the flat messages) or through ibapi's decoder (openOrder, completedOrder, execDetails). Every
reply is also fed to ibapi's decoder as a whole: a reply it cannot read fails the test.
"""

from __future__ import annotations

import asyncio
import struct
from decimal import Decimal
from typing import Any

from ibapi.client import EClient
from ibapi.decoder import Decoder
from ibapi.server_versions import MAX_CLIENT_VER, MIN_CLIENT_VER
from ibapi.wrapper import EWrapper

HOST = "127.0.0.1"
TIMEOUT = 5.0

Observed = tuple[str, dict[str, Any]]

# Server -> client message ids and the names of their fields after the id, at 178.
FLAT: dict[int, tuple[str, tuple[str, ...]]] = {
    3: ("orderStatus", ("orderId", "status", "filled", "remaining", "avgFillPrice", "permId",
                        "parentId", "lastFillPrice", "clientId", "whyHeld", "mktCapPrice")),
    4: ("error", ("version", "reqId", "code", "message", "advancedOrderRejectJson")),
    9: ("nextValidId", ("version", "orderId")),
    15: ("managedAccounts", ("version", "accounts")),
    49: ("currentTime", ("version", "time")),
    53: ("openOrderEnd", ("version",)),
    55: ("execDetailsEnd", ("version", "reqId")),
    59: ("commissionReport", ("version", "execId", "commission", "currency", "realizedPNL",
                              "yield", "yieldRedemptionDate")),
    102: ("completedOrdersEnd", ()),
}
STRUCTURED = {5: "openOrder", 101: "completedOrder", 11: "execDetails"}
# ibapi 10.x renamed the commission fields; the traces keep the names TWS's API had at 178.
RENAMED = {
    "commissionAndFees": "commission",
    "minCommissionAndFees": "minCommission",
    "maxCommissionAndFees": "maxCommission",
    "commissionAndFeesCurrency": "commissionCurrency",
}


class Capture(EWrapper):
    """ibapi's decoded objects of one message, flattened to 'order.x' / 'contract.x' names."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, Any] = {}
        self.failures: list[str] = []

    def openOrder(self, orderId: int, contract: Any, order: Any, orderState: Any) -> None:
        self.fields = {"orderId": orderId, **_flat("contract", contract),
                       **_flat("order", order), **_flat("state", orderState)}

    def completedOrder(self, contract: Any, order: Any, orderState: Any) -> None:
        self.fields = {**_flat("contract", contract), **_flat("order", order),
                       **_flat("state", orderState)}

    def execDetails(self, reqId: int, contract: Any, execution: Any) -> None:
        self.fields = {"reqId": reqId, "orderId": execution.orderId,
                       **_flat("contract", contract), **_flat("execution", execution)}

    def error(self, reqId: int, errorTime: int, errorCode: int, errorString: str,
              advancedOrderRejectJson: str = "") -> None:
        if errorCode in (505, 320, 321) and reqId == -1 and "Fatal" in errorString:
            self.failures.append(errorString)


def _flat(prefix: str, obj: Any) -> dict[str, Any]:
    return {f"{prefix}.{RENAMED.get(k, k)}": v for k, v in vars(obj).items()
            if not k.startswith("_")}


def kind_of(msg_id: int) -> str:
    if msg_id in FLAT:
        return FLAT[msg_id][0]
    return STRUCTURED.get(msg_id, f"message{msg_id}")


class _Socket:
    """What ibapi's EClient writes to: our asyncio stream."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer

    def sendMsg(self, msg: bytes) -> None:
        self.writer.write(msg)

    def isConnected(self) -> bool:
        return not self.writer.is_closing()


class TraceClient:
    """One API connection: handshake, ibapi's requests, and every reply recorded in order."""

    def __init__(self, port: int, client_id: int, versions: tuple[int, int] | None = None,
                 into: list[Observed] | None = None) -> None:
        self.port = port
        self.client_id = client_id
        self.versions = versions or (MIN_CLIENT_VER, MAX_CLIENT_VER)
        self.observed: list[Observed] = into if into is not None else []
        self.raw: list[list[str]] = []
        self.server_version = 0
        self.next_id = 0
        self.api = EClient(EWrapper())
        self._capture = Capture()
        self._decoder: Decoder | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._times = 0
        self.decode_failures: list[str] = []

    async def connect(self, start_api: bool = True) -> None:
        self._reader, self._writer = await asyncio.open_connection(HOST, self.port)
        low, high = self.versions
        self._writer.write(b"API\0" + _frame(f"v{low}..{high}"))
        ack = await asyncio.wait_for(self._read_frame(), TIMEOUT)
        self.server_version = int(ack[0])
        self.observed.append(("connectAck", {"serverVersion": ack[0], "connectionTime": ack[1]}))
        self.api.conn = _Socket(self._writer)
        self.api.serverVersion_ = self.server_version
        self.api.connState = EClient.CONNECTED
        self.api.clientId = self.client_id
        self._decoder = Decoder(self._capture, self.server_version)
        self._task = asyncio.create_task(self._read_loop())
        if start_api:
            self.api.startApi()
            await self.wait_for(lambda: self.next_id > 0, "nextValidId")

    async def _read_frame(self) -> list[str]:
        assert self._reader is not None
        (size,) = struct.unpack(">I", await self._reader.readexactly(4))
        fields = (await self._reader.readexactly(size)).decode().split("\0")
        return fields[:-1]

    async def _read_loop(self) -> None:
        try:
            while True:
                self._record(await self._read_frame())
        except (asyncio.IncompleteReadError, ConnectionError):
            return

    def _record(self, fields: list[str]) -> None:
        self.raw.append(fields)
        msg_id = int(fields[0])
        named = self._decode(msg_id, fields)
        kind = kind_of(msg_id)
        if msg_id in FLAT:
            named = dict(zip(FLAT[msg_id][1], fields[1:], strict=False))
        if kind == "nextValidId":
            self.next_id = int(named["orderId"])
        if kind == "currentTime":
            self._times += 1
            return  # our own settling requests
        self.observed.append((kind, named))

    def _decode(self, msg_id: int, fields: list[str]) -> dict[str, Any]:
        """ibapi's reading of the message; a message it cannot read is a failure."""
        assert self._decoder is not None
        self._capture.fields = {}
        try:
            self._decoder.interpret(tuple(f.encode() for f in fields[1:]), msg_id)
        except Exception as exc:  # ibapi raising on our bytes: the simulator's fault
            self.decode_failures.append(f"{kind_of(msg_id)} {fields[:4]}: {exc!r}")
        return dict(self._capture.fields)

    async def settle(self) -> None:
        """Everything the server sent before now has been read: a round trip after it."""
        before = self._times
        self.api.reqCurrentTime()
        await self.wait_for(lambda: self._times > before, "currentTime")

    async def wait_for(self, condition: Any, what: str) -> None:
        async with asyncio.timeout(TIMEOUT):
            while not condition():
                if self._task is not None and self._task.done():
                    raise AssertionError(f"connection closed waiting for {what}")
                await asyncio.sleep(0.002)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._task is not None:
            await asyncio.wait([self._task], timeout=TIMEOUT)


def _frame(text: str) -> bytes:
    body = text.encode()
    return struct.pack(">I", len(body)) + body


def quantity(value: Any) -> Decimal:
    return Decimal(str(value))
