"""Fixtures for end-to-end tests of ib-blotter-sim through real sockets with unmodified clients.

Every simulator here has a frozen market (pace=0) and a fixed seed: prices move only when a
test calls `set_quote`, so each assertion is about state, never about timing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ib_async import IB, Contract, Forex, Future, Order, OrderState, Stock, Trade

from ib_blotter.sim.simulator import SimConfig, Simulator

from ..waiting import wait_until

HOST = "127.0.0.1"
TIMEOUT = 5.0  # generous: a condition that holds arrives in milliseconds

Connect = Callable[..., Awaitable[IB]]


async def settle(ib: IB, rounds: int = 3) -> None:
    """Let messages already sent be read: a round trip the server answers after them."""
    for _ in range(rounds):
        await asyncio.wait_for(ib.reqCurrentTimeAsync(), TIMEOUT)


class SimClock:
    """The simulator's wall clock, moved by tests: GTD expiry and algo schedules without waits."""

    def __init__(self) -> None:
        self.now = float(int(time.time()))  # whole seconds, as TWS's date-time texts carry

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> SimClock:
    return SimClock()


@pytest.fixture
def sim_config(request: pytest.FixtureRequest, clock: SimClock) -> SimConfig:
    """Overridden by test modules that need another configuration (e.g. a master client), or
    given settings by an indirect parametrize."""
    return SimConfig(port=0, pace=0, seed=7, clock=clock, **getattr(request, "param", {}))


@pytest.fixture
async def sim(sim_config: SimConfig) -> AsyncIterator[Simulator]:
    simulator = Simulator(sim_config)
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()


@pytest.fixture
async def connect(sim: Simulator) -> AsyncIterator[Connect]:
    """Connect ib_async clients to the simulator; every one is disconnected at teardown."""
    clients: list[IB] = []

    async def _connect(client_id: int = 1, **kwargs: Any) -> IB:
        ib = IB()
        clients.append(ib)
        kwargs.setdefault("timeout", TIMEOUT)
        await ib.connectAsync(HOST, sim.port, clientId=client_id, **kwargs)
        return ib

    try:
        yield _connect
    finally:
        for ib in clients:
            ib.disconnect()


@pytest.fixture
async def ib(connect: Connect) -> IB:
    return await connect(1)


@pytest.fixture
async def aapl(ib: IB, sim: Simulator) -> Contract:
    """AAPL qualified through the simulator, its market at 100.00 / 100.01."""
    sim.set_quote("AAPL", 100.00, 100.01, last=100.00)
    [contract] = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
    return contract


@pytest.fixture
def es_front(sim: Simulator) -> Future:
    inst = next(i for i in sim.universe.instruments if i.contract.symbol == "ES")
    return Future("ES", inst.contract.lastTradeDateOrContractMonth[:6], "CME")


@pytest.fixture
def eurusd() -> Forex:
    return Forex("EURUSD")


async def wait_status(trade: Trade, status: str, timeout: float = TIMEOUT) -> None:
    await wait_until(
        lambda: trade.orderStatus.status == status,
        lambda: (
            f"order {trade.order.orderId} to be {status} (it is "
            f"{trade.orderStatus.status}; log {[(e.status, e.message) for e in trade.log]})"
        ),
        timeout,
    )


class WireSpy:
    """Every message an ib_async client decoded, as the raw fields that crossed the wire."""

    def __init__(self, ib: IB) -> None:
        self.messages: list[list[str]] = []
        decoder = ib.client.decoder
        original = decoder.interpret

        def interpret(fields: list[str]) -> None:
            self.messages.append(list(fields))
            original(fields)

        decoder.interpret = interpret

    def of(self, msg_id: int) -> list[list[str]]:
        return [m for m in self.messages if m and m[0] == str(msg_id)]


class ErrorLog:
    """Every error/notice an IB client's errorEvent delivered: (reqId, code, text)."""

    def __init__(self, ib: IB) -> None:
        self.entries: list[tuple[int, int, str]] = []
        ib.errorEvent += self._on_error

    def _on_error(self, req_id: int, code: int, text: str, contract: object) -> None:
        self.entries.append((req_id, code, text))

    def codes(self, req_id: int | None = None) -> list[int]:
        return [c for r, c, _ in self.entries if req_id is None or r == req_id]

    def text(self, code: int) -> str:
        return next(t for _, c, t in self.entries if c == code)


@pytest.fixture(autouse=True)
def no_hidden_failures(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """ib_async swallows decoding exceptions into its log, and asyncio logs what a connection
    callback raised: either one is a bug the assertions would not otherwise see."""
    yield
    failures = [
        r.getMessage()
        for r in caplog.records
        if "Error handling fields" in r.getMessage()
        or (r.name == "asyncio" and r.levelno >= logging.ERROR)
    ]
    assert not failures, f"hidden failures: {failures}"


class OpenOrderSpy:
    """Every openOrder ib_async decoded, as fresh objects (its Trade keeps only a few fields)."""

    def __init__(self, ib: IB) -> None:
        self.seen: list[tuple[Contract, Order, OrderState]] = []
        original = ib.wrapper.openOrder

        def open_order(order_id: int, contract: Contract, order: Order, state: OrderState) -> None:
            self.seen.append((contract, order, state))
            original(order_id, contract, order, state)

        ib.wrapper.openOrder = open_order

    def orders(self, order_id: int) -> list[Order]:
        return [o for _, o, _ in self.seen if o.orderId == order_id]


def us_eastern(epoch: float) -> str:
    """A date-time as TWS takes it in goodTillDate and algo times."""
    return dt.datetime.fromtimestamp(epoch, ZoneInfo("US/Eastern")).strftime(
        "%Y%m%d %H:%M:%S US/Eastern"
    )
