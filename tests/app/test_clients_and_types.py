"""Every order type and TIF from the app reaches the exchange right; client 0 and other clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import ib_async
import pytest

from ib_blotter.config import Settings
from ib_blotter.sim.simulator import SimConfig, Simulator

from .conftest import Blotter, start
from .test_order_depth import confirmation, placed
from .test_quick_entry import quick

TOMORROW = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%d 16:00")

# quick-entry line -> what the exchange must receive (type, limit, aux, trailing %, tif)
ORDERS = [
    ("b 10 aapl mkt", ("MKT", None, None, None, "DAY")),
    ("b 10 aapl 187.4", ("LMT", 187.4, None, None, "DAY")),
    ("b 10 aapl stp 190", ("STP", None, 190.0, None, "DAY")),
    ("b 10 aapl stp lmt 190 190.5", ("STP LMT", 190.5, 190.0, None, "DAY")),
    ("s 10 aapl trail 1.5", ("TRAIL", None, 1.5, None, "DAY")),
    ("s 10 aapl trail 2%", ("TRAIL", None, None, 2.0, "DAY")),
    ("b 10 aapl mid", ("MIDPRICE", None, None, None, "DAY")),
    ("b 10 aapl moc", ("MOC", None, None, None, "DAY")),
    ("b 10 aapl loc 187", ("LOC", 187.0, None, None, "DAY")),
    ("b 10 aapl 187.4 gtc", ("LMT", 187.4, None, None, "GTC")),
    ("b 10 aapl 187.4 ioc", ("LMT", 187.4, None, None, "IOC")),
    ("b 10 aapl 187.4 fok", ("LMT", 187.4, None, None, "FOK")),
    ("b 10 aapl 187.4 opg", ("LMT", 187.4, None, None, "OPG")),
    (f"b 10 aapl 187.4 gtd {TOMORROW}", ("LMT", 187.4, None, None, "GTD")),
]


@pytest.mark.parametrize(("line", "expected"), [pytest.param(*o, id=o[0]) for o in ORDERS])
async def test_each_type_and_tif_reaches_the_exchange(blotter: Blotter, line: str,
                                                      expected: tuple[object, ...]) -> None:
    blotter.sim.set_quote("AAPL", 187.50, 187.51)
    blotter.app.blotter.orders.focus()
    await quick(blotter, f"{line} @DU1234567")
    await confirmation(blotter)
    await blotter.press("y")
    await blotter.until(lambda: placed(blotter), f"{line!r} at the exchange")
    [order] = placed(blotter)
    r = order.request
    assert (r.orderType, r.lmtPrice, r.auxPrice, r.trailingPercent, r.tif) == expected
    if r.tif == "GTD":
        assert r.goodTillDate  # IB's UTC form, which the exchange accepted
    await blotter.until(lambda: blotter.app.state.all_orders(), "the order in the state")
    # TWS on a paper account works no FOK: it goes Inactive even when it could fill (recorded,
    # ibkr-go api_ioc_fok_aapl); every other order is accepted
    paper_fok = "Inactive" if r.tif == "FOK" else None
    await blotter.until(lambda: paper_fok is None or blotter.app.state.all_orders()[0].status
                        == paper_fok, "a paper FOK refused")
    assert (blotter.app.state.all_orders()[0].status == "Inactive") == (paper_fok is not None)


@pytest.fixture
async def exchange() -> AsyncIterator[Simulator]:
    async with Simulator(SimConfig(port=0, pace=0, master_client_id=1)) as sim:
        yield sim


async def test_client_0_binds_and_cancels_a_manual_tws_order(exchange: Simulator) -> None:
    manual = exchange.add_manual_order("AAPL", "BUY", 100, "LMT", limit=180.00)
    assert manual is not None
    settings = Settings(port=exchange.port, client_id=0, linger=0.5)
    async for blotter in start(settings):
        app = blotter.app
        await blotter.until(lambda b=blotter: b.app.blotter.orders.rows(),
                            "the manual order, bound")
        [row] = app.blotter.orders.rows()
        assert row.ours and row.order_id < 0 and row.perm_id == manual.permId
        app.blotter.orders.focus()
        await blotter.press("c", "y")
        await blotter.until(lambda: manual.status.value == "Cancelled", "cancelled at IB")
        assert exchange.traffic.cancels == [(0, row.order_id)]


async def test_other_clients_orders_show_but_keys_refuse_them(exchange: Simulator) -> None:
    other = ib_async.IB()
    await other.connectAsync("127.0.0.1", exchange.port, clientId=2)
    try:
        [aapl] = await other.qualifyContractsAsync(ib_async.Stock("AAPL", "SMART", "USD"))
        other.placeOrder(aapl, ib_async.LimitOrder("SELL", 50, 199.00))
        async for blotter in start(Settings(port=exchange.port, client_id=1)):
            app = blotter.app
            await blotter.until(lambda b=blotter: b.app.blotter.orders.rows(),
                                "client 2's order, seen as master")
            [row] = app.blotter.orders.rows()
            assert (row.client_id, row.ours) == (2, False)
            # its contract was never looked up here: the adapter asks IB for the tick
            await blotter.until(lambda b=blotter: b.app.blotter.orders.rows()[0].min_tick == 0.01,
                                "the order's tick learned from IB")
            app.blotter.orders.focus()
            await blotter.press("c")
            await blotter.pilot.pause(0.2)
            assert exchange.traffic.cancels == []  # refused here, not sent for IB to refuse
            assert any("client 2" in n.message for n in app._notifications)
    finally:
        other.disconnect()
