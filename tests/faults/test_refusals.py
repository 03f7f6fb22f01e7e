"""A new order TWS refuses with an error alone (no openOrder, no status ever follows, as the
golden traces record for 110, 321, 387, 10243 and 200): shown refused with IB's reason, never
left PendingSubmit; a notice about an order (399) is shown against it and changes nothing."""

from __future__ import annotations

import pytest
from ib_async import Contract

from ib_blotter.sim.simulator import Simulator
from ib_blotter.state.records import OrderSpec

from .. import trading
from .conftest import Harness, wait_until

LIMIT = OrderSpec(side="BUY", quantity=10, order_type="LMT", limit=99.00)


@pytest.mark.parametrize(("contract", "spec", "code"), [
    (None, OrderSpec(side="BUY", quantity=10, order_type="LMT", limit=99.995), "110"),
    (Contract(conId=265598), LIMIT, "321"),  # no exchange
    (Contract(conId=999999, exchange="SMART"), LIMIT, "200"),  # no such contract
], ids=["off-tick", "missing-exchange", "no-such-contract"])
async def test_a_new_order_refused_by_an_error_alone_is_shown_refused(
    sim: Simulator, harness: Harness, contract: Contract | None, spec: OrderSpec, code: str
) -> None:
    trading.place(harness.adapter, contract or await harness.contract("AAPL"), spec)
    await wait_until(lambda: harness.state.all_orders() and harness.state.all_orders()[0]
                     .last_message.startswith(code), "IB's reason on the order")
    await wait_until(lambda: harness.state.all_orders()[0].is_ended,
                     lambda: f"the order ended: {harness.state.all_orders()}")
    [row] = harness.state.all_orders()
    assert row.status == "Rejected"
    said = " ".join(line.text for line in harness.state.log_lines())
    assert f"refused by IB: {code}" in said
    assert not [o for o in sim.exchange.by_perm.values() if not o.is_done]


async def test_a_closed_session_notice_is_shown_against_the_order_which_waits(
    sim: Simulator, harness: Harness
) -> None:
    sim.set_session("closed")
    aapl = await harness.contract("AAPL")
    harness.place(aapl, "BUY", 5, limit=99.00)
    await wait_until(lambda: harness.state.all_orders()
                     and harness.state.all_orders()[0].last_message.startswith("399"),
                     lambda: f"the 399 on the order: {harness.state.all_orders()}")
    [row] = harness.state.all_orders()
    assert row.status == "PreSubmitted" and not row.is_ended  # it waits for the open


async def test_an_order_filled_while_away_shows_its_size(sim: Simulator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A completed order of a filled one says totalQuantity 0 (its size is filledQuantity)."""
    from ib_blotter.sim.model import OrderRequest, SimContract

    from .conftest import running_harness

    sim.exchange.place(1, 1, SimContract(conId=sim.instrument_id("AAPL")),
                       OrderRequest(action="BUY", totalQuantity=10, orderType="MKT"))
    async with running_harness(sim, tmp_path / "j.sqlite") as harness:
        await wait_until(lambda: harness.state.all_orders(), "the completed order")
        [row] = harness.state.all_orders()
        assert (row.status, row.quantity, row.filled) == ("Filled", 10, 10), row


async def test_an_untriggered_stop_says_why_it_is_held(sim: Simulator, harness: Harness) -> None:
    aapl = await harness.contract("AAPL")
    trading.place(harness.adapter, aapl, OrderSpec(side="SELL", quantity=5, order_type="STP",
                                                   aux=95.00))
    await wait_until(lambda: harness.state.working_orders()
                     and harness.state.working_orders()[0].status == "PreSubmitted", "held")
    [row] = harness.state.working_orders()
    assert row.why_held == "trigger"


async def test_an_order_another_client_cancelled_is_shown_cancelled(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Client 0 may cancel another client's order; TWS's Cancelled status then carries client
    0's id, not the order's (recorded): the master blotter must still end the order."""
    import ib_async

    from ib_blotter.sim.model import OrderRequest, SimContract
    from ib_blotter.sim.simulator import SimConfig

    from .conftest import HOST, running_harness

    sim = Simulator(SimConfig(port=0, pace=0, master_client_id=1))
    await sim.start()
    try:
        sim.exchange.place(2, 1, SimContract(conId=sim.instrument_id("AAPL")),
                           OrderRequest(action="BUY", totalQuantity=10, orderType="LMT",
                                        lmtPrice=90.0))
        async with running_harness(sim, tmp_path / "j.sqlite") as harness:
            await wait_until(lambda: harness.state.working_orders(), "client 2's order")
            zero = ib_async.IB()
            await zero.connectAsync(HOST, sim.port, clientId=0)
            await zero.reqAllOpenOrdersAsync()
            [theirs] = [t for t in zero.openTrades() if t.order.clientId == 2]
            zero.cancelOrder(theirs.order)
            await wait_until(lambda: harness.state.all_orders()[0].status == "Cancelled",
                             lambda: f"cancelled: {harness.state.all_orders()}")
            zero.disconnect()
    finally:
        await sim.stop()
