"""Gateway restarts and dropped sockets: the blotter notices at once, comes back by itself and
then shows exactly what the exchange holds: no fill lost, none twice."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from ib_blotter.ib.errors import RefusedError
from ib_blotter.sim.simulator import Simulator
from ib_blotter.state.gate import Action, Approval, Request
from ib_blotter.state.order_changes import current_terms
from ib_blotter.state.records import ConnectionState
from ib_blotter.state.ticket import spec_from_order

from ..trading import spec_of
from .conftest import Harness, wait_until


async def test_ten_gateway_restarts_during_trading_lose_no_fill(
    sim: Simulator, harness: Harness
) -> None:
    aapl = await harness.contract("AAPL")
    for restart in range(10):
        # Trading while connected: a fill now, and two orders that rest at the exchange and
        # fill while the blotter is away, leaving the position flat.
        harness.place(aapl, "BUY", 10)
        harness.place(aapl, "BUY", 5, limit=99.50)
        harness.place(aapl, "SELL", 15, limit=100.60)
        await wait_until(lambda: len(harness.state.fills()) == len(harness.sim_fills())
                         and len(harness.state.all_orders()) == len(harness.sim_orders()),
                         "the live orders and fills")
        refusing = asyncio.create_task(sim.refuse_connections(0.3 + 0.05 * restart))
        await wait_until(lambda: not harness.connected, f"restart {restart} to be noticed")
        # While the blotter is away the market trades through the resting orders, and one
        # order of the previous round is cancelled at the exchange.
        sim.set_quote("AAPL", 99.49, 99.50, last=99.50, size=100)
        sim.set_quote("AAPL", 100.60, 100.61, last=100.60, size=100)
        sim.set_quote("AAPL", 100.00, 100.01, last=100.00, size=100)
        await refusing
        await wait_until(lambda: harness.connected, f"the reconnect after restart {restart}")
        await wait_until(harness.matches_sim, harness.differences)

    assert harness.times_connected() == 11  # the first connection and one after every restart
    assert harness.sim_positions() == {}  # flat: the last fills came while away, and showed
    assert len(harness.sim_fills()) >= 30
    exec_ids = sorted(f.execId for f in harness.sim_fills())
    journaled = harness.journal.fills_today()
    assert sorted(f.exec_id for f in journaled) == exec_ids
    assert all(f.commission is not None for f in journaled)
    placed = harness.journal.events("order_action")
    assert len(placed) == 30 and all(e.data["order"]["orderId"] for e in placed)
    statuses = {(e.ref, e.data["status"]) for e in harness.journal.events("status")}
    assert {status for _ref, status in statuses} >= {"Submitted", "Filled"}
    assert {e.code for e in harness.journal.events("error")} >= {2104}  # IB's notices too


async def test_the_drop_is_shown_at_once_and_order_requests_are_refused(
    sim: Simulator, harness: Harness
) -> None:
    aapl = await harness.contract("AAPL")
    harness.place(aapl, "BUY", 5, limit=99.00)
    await wait_until(lambda: harness.state.working_orders(), "the order")
    [row] = harness.state.working_orders()

    refusing = asyncio.create_task(sim.refuse_connections(0.5))
    await wait_until(lambda: not harness.connected, "the drop")
    assert harness.state.connection.last_error  # says why
    assert harness.state.working_orders() == [row]  # the order still works at IB
    lower = replace(current_terms(row), limit=98.0)
    for request in (Request(Action.CANCEL, target=row),
                    Request(Action.MODIFY, lower, spec_from_order(row), row),
                    Request(Action.PLACE, lower, spec_of(aapl))):
        decision = harness.adapter.decide(request)
        assert "Not connected" in decision.refusal
        with pytest.raises(RefusedError, match="Not connected"):  # approved while connected
            harness.adapter.send(Approval(replace(decision, problems=()), "y"), aapl)
    await refusing
    await wait_until(lambda: harness.connected, "the reconnect")
    assert [r.perm_id for r in harness.state.working_orders()] == [row.perm_id]


async def test_backoff_waits_longer_while_refused_and_retry_now_cuts_it_short(
    sim: Simulator, harness: Harness
) -> None:
    harness.adapter.backoff.first = harness.adapter.backoff.cap = 60.0  # only retry_now helps
    sim.drop_connections()
    await wait_until(lambda: harness.state.connection.retry_in is not None, "a scheduled retry")
    info = harness.state.connection
    assert info.state is ConnectionState.RECONNECTING and info.retry_in > 30
    assert harness.adapter.retry_now()
    await wait_until(lambda: harness.connected, "the reconnect on request")
    assert not harness.adapter.retry_now()  # nothing to cut short once connected


async def test_reconnect_asks_for_executions_since_the_last_one_seen(
    sim: Simulator, harness: Harness
) -> None:
    asked: list[list[str]] = []
    handle = sim.handle

    def spy(session: object, message: list[str]) -> None:
        if message and message[0] == "7":
            asked.append(message)
        handle(session, message)  # type: ignore[arg-type]

    sim.handle = spy  # type: ignore[method-assign]
    aapl = await harness.contract("AAPL")
    harness.place(aapl, "BUY", 10)
    await wait_until(lambda: harness.state.fills(), "a fill")
    sim.drop_connections()
    await wait_until(lambda: asked, "reqExecutions after the reconnect")
    # [7, version, reqId, clientId, account, time, ...]: a time filter, in UTC ("-" form)
    assert asked[0][5].count("-") == 1 and len(asked[0][5]) == 17
