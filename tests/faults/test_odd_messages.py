"""What IB really does: duplicate executions, statuses out of order, its link to the exchange
going and coming back (1100, 1101, 1102), and messages nobody expects. The state stays right."""

from __future__ import annotations

import ib_async
import pytest

from ib_blotter.sim.simulator import Simulator
from ib_blotter.state.blotter import Change, ChangeKind
from ib_blotter.state.records import ConnectionState, LogKind, OrderKey

from .conftest import Harness, wait_until


async def test_duplicated_executions_show_once_and_are_journaled_once(
    sim: Simulator, harness: Harness
) -> None:
    aapl = await harness.contract("AAPL")
    sim.faults.duplicate_executions = 20
    size = sim.market.quote(aapl.conId).askSize
    harness.place(aapl, "BUY", 4 * size)  # sweeps several price levels: several executions
    harness.place(aapl, "BUY", 10)
    await wait_until(lambda: harness.sim_fills() and harness.matches_sim(), harness.differences)
    assert sim.faults.duplicate_executions < 20  # the duplicates were sent
    fills = len(harness.sim_fills())
    assert len(harness.journal.fills_today()) == fills
    assert len(harness.journal.events("execution")) == fills
    fill_lines = [ln for ln in harness.state.log_lines() if ln.kind is LogKind.FILL]
    assert len(fill_lines) == fills


async def test_statuses_out_of_order_never_move_an_order_backwards(
    sim: Simulator, harness: Harness
) -> None:
    seen: dict[OrderKey, list[tuple[str, float]]] = {}

    def watch(change: Change) -> None:
        if change.kind is ChangeKind.ORDER and isinstance(change.key, OrderKey):
            row = harness.state.order(change.key)
            if row is not None:
                seen.setdefault(row.key, []).append((row.status, row.filled))

    harness.state.subscribe(watch)
    aapl = await harness.contract("AAPL")
    sim.faults.reorder_statuses = True
    size = sim.market.quote(aapl.conId).askSize
    harness.place(aapl, "BUY", 3 * size)
    harness.place(aapl, "SELL", 5, limit=100.20)
    await wait_until(lambda: len(harness.sim_orders()) == 2, "both orders at the exchange")
    sim.set_quote("AAPL", 100.20, 100.21, last=100.20)  # the resting sell fills
    await wait_until(harness.matches_sim, harness.differences)

    for key, history in seen.items():
        filled = [f for _status, f in history]
        assert filled == sorted(filled), f"{key}: filled went backwards: {history}"
        ended = [i for i, (status, _f) in enumerate(history) if status == "Filled"]
        if ended:
            assert all(s == "Filled" for s, _f in history[ended[0]:]), f"{key}: {history}"


async def test_link_lost_keeps_orders_and_data_kept_needs_no_resubscription(
    sim: Simulator, harness: Harness
) -> None:
    aapl = await harness.contract("AAPL")
    harness.place(aapl, "BUY", 5, limit=99.00)
    await wait_until(lambda: harness.state.working_orders(), "the order")
    harness.adapter.subscribe_quote(aapl)

    sim.send_connectivity(1100)
    await wait_until(lambda: harness.state.connection.state is ConnectionState.LINK_LOST,
                     "the header to say the link is down")
    assert not harness.adapter.situation().connected  # nothing is sent meanwhile
    assert "lost" in harness.state.connection.last_error
    assert len(harness.state.working_orders()) == 1  # IB keeps them: so do we

    sim.send_connectivity(1102)
    await wait_until(lambda: harness.connected, "the link back")
    assert harness.adapter.quotes.resubscriptions == 0
    assert len(harness.state.working_orders()) == 1


async def test_data_lost_resubscribes_the_quote_and_it_moves_again(
    sim: Simulator, harness: Harness
) -> None:
    aapl = await harness.contract("AAPL")
    quotes: list[float] = []

    def on_update(ticker: ib_async.Ticker) -> None:
        quotes.append(ticker.bid)

    harness.adapter.subscribe_quote(aapl, on_update)
    await wait_until(lambda: 100.00 in quotes, "the first quote")
    session = sim.sessions[1]
    [first_line] = session.subs.market_data

    sim.send_connectivity(1100)
    sim.send_connectivity(1101)
    await wait_until(lambda: harness.adapter.quotes.resubscriptions == 1, "the resubscription")
    lines = session.subs.market_data
    await wait_until(lambda: lines and first_line not in lines, "a new line at the exchange")
    sim.set_quote("AAPL", 100.05, 100.06, last=100.05)
    await wait_until(lambda: 100.05 in quotes, "the quote to move after 1101")
    assert harness.connected


async def test_quotes_come_back_after_a_reconnect(sim: Simulator, harness: Harness) -> None:
    aapl = await harness.contract("AAPL")
    quotes: list[float] = []
    harness.adapter.subscribe_quote(aapl, lambda ticker: quotes.append(ticker.bid))
    await wait_until(lambda: 100.00 in quotes, "the first quote")
    sim.drop_connections()
    await wait_until(lambda: not harness.connected, "the drop")
    await wait_until(lambda: harness.connected, "the reconnect")
    sim.set_quote("AAPL", 100.07, 100.08, last=100.07)
    await wait_until(lambda: 100.07 in quotes, "the quote to move after the reconnect")


@pytest.mark.parametrize("message", [
    [9999, 1, "what is this"],  # a message id no client knows
    [4, 2, -1, 54321, "An error code nobody documented", ""],
    [11, -1, "not-a-number"],  # a broken execDetails
    [3, "x", "Submitted"],  # a broken orderStatus
    [5],  # an openOrder with no fields
    [59, 1, "0000.unknown.01", "abc", "USD", "", "", ""],  # a commission for no fill
])
async def test_odd_messages_are_logged_not_fatal(
    sim: Simulator, harness: Harness, message: list[object],
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim.sessions[1].send(message)
    aapl = await harness.contract("AAPL")  # a round trip after the odd message
    harness.place(aapl, "BUY", 10)
    await wait_until(lambda: harness.state.fills() and harness.matches_sim(),
                     harness.differences)
    assert harness.connected
