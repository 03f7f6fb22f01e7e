"""Each golden TWS trace (tests/sim/traces/*.json) played against the simulator through a real
socket, its replies compared with the recording by `loader.compare`: message kinds, their order,
and every field that is not an id, a time or a price.

A scenario is driven by the trace's own client messages, in order (placeOrder, cancelOrder,
connect, ...), each built from the fields the trace names. What a recording leaves to its market
(a price that rests or crosses, a move through a stop) is the `Script` of that scenario: field
values the trace does not give, quotes set before a step, and orders placed by an unrecorded
client before the recorded one connects.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from ibapi.contract import Contract
from ibapi.execution import ExecutionFilter
from ibapi.order import Order
from ibapi.order_cancel import OrderCancel

from ib_blotter.sim.simulator import Simulator

from .golden import Observed, TraceClient, quantity
from .traces.loader import CLIENT, Message, Trace, compare, load, trace_files

Step = Callable[["Run"], Any]


@dataclass
class Script:
    """What a scenario needs beyond its trace's client messages."""

    values: dict[int, dict[str, Any]] = field(default_factory=dict)  # client message -> fields
    before: dict[int, Step] = field(default_factory=dict)  # runs before client message i
    after: dict[int, Step] = field(default_factory=dict)  # runs after client message i
    setup: Step | None = None  # before the recorded client connects
    session: str = "regular"


class Run:
    """One scenario: the simulator, the recorded connection(s), what they observed."""

    def __init__(self, sim: Simulator, trace: Trace) -> None:
        self.sim = sim
        self.trace = trace
        self.observed: list[Observed] = []
        self.client: TraceClient | None = None
        self.ids: dict[str, int] = {}
        self.sent: dict[int, tuple[Contract, Order]] = {}
        self.clients: list[TraceClient] = []

    async def open(self, client_id: int = 1, versions: tuple[int, int] | None = None,
                   recorded: bool = True) -> TraceClient:
        client = TraceClient(self.sim.port, client_id, versions,
                             into=self.observed if recorded else [])
        self.clients.append(client)
        await client.connect()
        if recorded:
            self.client = client
        return client

    def order_id(self, name: Any) -> int:
        if not (isinstance(name, str) and name.startswith("$")):
            return int(name)
        if name not in self.ids:
            assert self.client is not None
            self.ids[name] = self.client.next_id
            self.client.next_id += 1
        return self.ids[name]

    def last_open_order_id(self) -> int:
        return next(f["orderId"] for k, f in reversed(self.observed) if k == "openOrder")

    async def place(self, client: TraceClient, fields: dict[str, Any]) -> None:
        order_id = self.order_id(fields["orderId"])
        contract, order = copy.deepcopy(self.sent.get(order_id) or self._blank())
        for name, value in fields.items():
            if name.startswith("contract."):
                setattr(contract, name.removeprefix("contract."), value)
            elif name.startswith("order."):
                _set_order_field(self, order, name.removeprefix("order."), value)
        self.sent[order_id] = (contract, order)
        client.api.placeOrder(order_id, contract, order)

    def _blank(self) -> tuple[Contract, Order]:
        """A new order starts from the last contract placed (a bracket's children name none)."""
        if self.sent:
            contract = copy.deepcopy(list(self.sent.values())[-1][0])
        else:
            contract = Contract()
            contract.symbol, contract.secType = "AAPL", "STK"
        contract.exchange = contract.exchange or "SMART"
        contract.currency = contract.currency or "USD"
        return contract, Order()


def _set_order_field(run: Run, order: Order, name: str, value: Any) -> None:
    if name == "totalQuantity":
        value = quantity(value)
    elif name == "parentId":
        value = run.order_id(value) if value else 0
    setattr(order, name, value)


async def _client_step(run: Run, message: Message, fields: dict[str, Any]) -> None:
    """Carry out one client message of a trace."""
    kind = message.kind
    if kind == "connect":
        versions = None
        if "maxVersion" in fields:
            versions = (fields.get("minVersion", 100), fields["maxVersion"])
        await run.open(fields.get("clientId", 1), versions)
        return
    if kind == "startApi":
        return  # the connect above sent it
    if kind == "disconnect":
        assert run.client is not None
        await run.client.close()
        run.client = None
        return
    if kind == "manualOrder":
        run.sim.add_manual_order(fields["contract.symbol"], fields["order.action"],
                                 fields["order.totalQuantity"], fields["order.orderType"],
                                 limit=fields.get("order.lmtPrice"))
        return
    client = run.client
    assert client is not None, f"{kind} with no connection"
    api = client.api
    if kind == "placeOrder":
        await run.place(client, fields)
    elif kind == "cancelOrder":
        api.cancelOrder(run.order_id(fields["orderId"]), OrderCancel())
    elif kind == "reqOpenOrders":
        api.reqOpenOrders()
    elif kind == "reqAllOpenOrders":
        api.reqAllOpenOrders()
    elif kind == "reqAutoOpenOrders":
        api.reqAutoOpenOrders(bool(fields.get("bAutoBind", True)))
    elif kind == "reqCompletedOrders":
        api.reqCompletedOrders(bool(fields.get("apiOnly", False)))
    elif kind == "reqExecutions":
        api.reqExecutions(fields.get("reqId", 1), ExecutionFilter())
    elif kind == "reqGlobalCancel":
        api.reqGlobalCancel(OrderCancel())
    elif kind == "reqIds":
        api.reqIds(1)
    else:
        raise AssertionError(f"no driver for client message {kind}")


async def play(sim: Simulator, trace: Trace, script: Script) -> Run:
    run = Run(sim, trace)
    sim.set_quote("AAPL", 100.00, 100.01, last=100.00)
    if script.setup is not None:
        await _call(script.setup, run)
    sim.set_session(script.session)
    messages = trace.client_messages()
    first = next((m.kind for m in messages if m.kind != "manualOrder"), "connect")
    if first != "connect":
        await run.open(1)
    for index, message in enumerate(messages):
        if index in script.before:
            await _call(script.before[index], run)
        fields = {**message.fields, **_resolved(script.values.get(index, {}), run)}
        await _client_step(run, message, fields)
        if run.client is not None:
            await run.client.settle()
        if index in script.after:
            await _call(script.after[index], run)
            if run.client is not None:
                await run.client.settle()
    return run


def _resolved(values: dict[str, Any], run: Run) -> dict[str, Any]:
    return {k: (v(run) if callable(v) else v) for k, v in values.items()}


async def _call(step: Step, run: Run) -> None:
    result = step(run)
    if hasattr(result, "__await__"):
        await result


# ---- what each scenario needs of the market ---------------------------------------------------
def quote(symbol: str, bid: float, ask: float, last: float | None = None,
          size: float | None = None) -> Step:
    def move(run: Run) -> None:
        run.sim.set_quote(symbol, bid, ask, last, size)

    return move


def es_front(run: Run) -> str:
    inst = next(i for i in run.sim.universe.instruments if i.contract.symbol == "ES")
    return inst.contract.lastTradeDateOrContractMonth


ES = {"contract.secType": "FUT", "contract.exchange": "CME",
      "contract.lastTradeDateOrContractMonth": es_front}


async def place_and_leave(run: Run, orders: list[dict[str, Any]], client_id: int = 2) -> None:
    """Orders placed by a client the trace does not record (its replies are not compared)."""
    other = await run.open(client_id, recorded=False)
    scratch = Run(run.sim, run.trace)
    scratch.client = other
    for index, fields in enumerate(orders):
        action = fields.pop("then", None)
        fields = {"orderId": f"$s{index}", **fields}
        await scratch.place(other, _resolved(fields, run))
        await other.settle()
        if action == "cancel":
            other.api.cancelOrder(scratch.order_id(f"$s{index}"), OrderCancel())
            await other.settle()
    await other.close()


def completed_setup(run: Run) -> Any:
    return place_and_leave(run, [
        {"contract.symbol": "AAPL", "order.action": "BUY", "order.totalQuantity": 100,
         "order.orderType": "MKT"},
        {"contract.symbol": "ES", **ES, "order.action": "BUY", "order.totalQuantity": 1,
         "order.orderType": "LMT", "order.lmtPrice": 1000, "then": "cancel"},
        {"contract.symbol": "AAPL", "contract.secType": "STK", "contract.exchange": "SMART",
         "contract.lastTradeDateOrContractMonth": "", "order.action": "SELL",
         "order.totalQuantity": 1, "order.orderType": "LMT", "order.lmtPrice": 1.0,
         "order.tif": "GTC"},
    ])


def held_orders_setup(run: Run) -> Any:
    run.sim.set_session("closed")  # held at the exchange: PreSubmitted, whyHeld ''
    return place_and_leave(run, [
        {"contract.symbol": "AAPL", "order.action": "BUY", "order.totalQuantity": 1,
         "order.orderType": "LMT", "order.lmtPrice": 90, "order.tif": "GTC"},
        {"contract.symbol": "AAPL", "order.action": "BUY", "order.totalQuantity": 2,
         "order.orderType": "LMT", "order.lmtPrice": 91, "order.tif": "GTC"},
    ], client_id=1)


async def two_pieces(run: Run) -> None:
    """The market trades at the limit twice, 100 shares each time."""
    for _ in range(2):
        run.sim.set_quote("AAPL", 99.94, 99.95, 99.95, size=100)
        assert run.client is not None
        await run.client.settle()


SCRIPTS: dict[str, Script] = {
    "bracket_parent_fills": Script(values={1: {"order.lmtPrice": 110},
                                           2: {"order.auxPrice": 90}}),
    "bracket_child_modify_after_fill_135": Script(values={
        0: ES,
        1: {"order.lmtPrice": 6000, "order.totalQuantity": 1},
        2: {"order.auxPrice": 4000, "order.totalQuantity": 1},
        3: {"order.auxPrice": 4100, "order.lmtPrice": 0},  # ib_async echoes a STP's lmtPrice 0
        4: {"order.auxPrice": 4100, "order.lmtPrice": 0},
    }),
    "client0_manual_binding": Script(values={0: {"order.lmtPrice": 90},
                                             4: {"orderId": Run.last_open_order_id}}),
    "client0_sees_other_clients_order": Script(values={1: {"order.lmtPrice": 90}}),
    "closed_session_399": Script(values={0: {"order.lmtPrice": 99}}, session="closed"),
    "completed_orders": Script(setup=completed_setup),
    "connect_download_open_orders": Script(setup=held_orders_setup, session="closed"),
    "execution_time_formats": Script(values={0: {"order.action": "BUY",
                                                 "order.totalQuantity": 1}}),
    "modify_off_tick_110": Script(),
    "oca_fill": Script(values={0: {"order.lmtPrice": 90}, 1: {"order.lmtPrice": 100.05}}),
    "partial_fill": Script(values={0: {"order.lmtPrice": 99.95}}, after={0: two_pieces}),
    "reconnect_working_orders": Script(values={1: {"order.lmtPrice": 90}}),
    # IB's own refusal (201, then Inactive): here the account it names is not the client's
    "reject_201_inactive": Script(values={0: {"order.lmtPrice": 100,
                                              "order.account": "DU0000000"}}),
    # no options here: MOC on a future is the same refusal (the exchange takes no such type)
    "reject_387_unsupported_type": Script(values={0: {**ES, "contract.symbol": "ES"}}),
    "stop_trigger": Script(after={0: quote("AAPL", 97.00, 97.01, 97.00)}),
    "transmit_false_then_transmit": Script(values={0: {"order.lmtPrice": 90},
                                                   1: {"order.lmtPrice": 90}}),
}


TRACES = [pytest.param(load(path), id=path.stem) for path in trace_files()]


@pytest.mark.parametrize("trace", TRACES)
async def test_simulator_matches_the_recording(sim: Simulator, trace: Trace) -> None:
    run = await play(sim, trace, SCRIPTS.get(trace.name, Script()))
    try:
        failures = [f for c in run.clients for f in c.decode_failures]
        assert not failures, f"ibapi could not read: {failures}"
        difference = compare(trace, run.observed)
        assert difference is None, f"{trace.name}: {difference}\n\n{_listing(trace, run)}"
    finally:
        for client in run.clients:
            await client.close()


def _listing(trace: Trace, run: Run) -> str:
    """The observed messages of the compared kinds, for reading a failure."""
    expected_kinds = {m.kind for m in trace.messages if m.direction != CLIENT} | trace.kinds
    lines = []
    for kind, fields in run.observed:
        if kind in expected_kinds:
            keep = {k: v for k, v in fields.items()
                    if k in _named(trace) or k in ("orderId", "status", "code", "message")}
            lines.append(f"  {kind} {keep}")
    return "observed:\n" + "\n".join(lines)


def _named(trace: Trace) -> set[str]:
    return {name for m in trace.messages for name in m.fields}
