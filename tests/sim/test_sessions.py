"""Handshake, startup sync, several clients, duplicate client ids, and reconnects."""

from __future__ import annotations

import logging
import time

import pytest
from ib_async import IB, LimitOrder, MarketOrder, Stock

from ib_blotter.sim.simulator import Simulator

from .conftest import HOST, Connect, ErrorLog, wait_status, wait_until


@pytest.mark.parametrize(
    "options",
    [{"clientId": 1}, {"clientId": 0}, {"clientId": 2, "account": "DU1234567"}],
    ids=["plain", "client-zero", "one-account"],
)
async def test_connect_completes_without_any_startup_request_timing_out(
    sim: Simulator, caplog: pytest.LogCaptureFixture, options: dict[str, object]
) -> None:
    caplog.set_level(logging.INFO, logger="ib_async")
    ib = IB()
    started = time.monotonic()
    try:
        await ib.connectAsync(HOST, sim.port, timeout=2, **options)
        elapsed = time.monotonic() - started
    finally:
        ib.disconnect()
    timed_out = [r.getMessage() for r in caplog.records if "timed out" in r.getMessage()]
    assert timed_out == []
    assert any("Synchronization complete" in r.getMessage() for r in caplog.records)
    assert elapsed < 2  # any missing end marker would hold connect for the whole timeout


async def test_managed_accounts_and_server_version(sim: Simulator, ib: IB) -> None:
    assert ib.managedAccounts() == list(sim.config.accounts)
    assert ib.client.serverVersion() == 178


async def test_two_clients_at_once(sim: Simulator, connect: Connect) -> None:
    first = await connect(1)
    second = await connect(2)
    assert first.isConnected() and second.isConnected()
    assert set(sim.sessions) == {1, 2}
    assert (await first.reqCurrentTimeAsync()) is not None
    assert (await second.reqCurrentTimeAsync()) is not None


async def test_duplicate_client_id_gets_326_and_connect_fails(
    sim: Simulator, connect: Connect
) -> None:
    await connect(1)
    intruder = IB()
    errors = ErrorLog(intruder)
    with pytest.raises((ConnectionError, TimeoutError)):
        await intruder.connectAsync(HOST, sim.port, clientId=1, timeout=1)
    intruder.disconnect()
    assert 326 in errors.codes(-1)
    assert "client id is already in use" in errors.text(326)


async def test_reconnect_with_same_id_finds_working_orders_and_fills(
    sim: Simulator, connect: Connect
) -> None:
    sim.set_quote("AAPL", 100.00, 100.01)
    first = await connect(1)
    [aapl] = await first.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
    resting = first.placeOrder(aapl, LimitOrder("BUY", 100, 99.00))
    filled = first.placeOrder(aapl, MarketOrder("BUY", 50))
    await wait_status(resting, "Submitted")
    await wait_status(filled, "Filled")
    exec_ids = {f.execution.execId for f in filled.fills}
    first.disconnect()
    await wait_until(lambda: 1 not in sim.sessions, "the simulator to see client 1 leave")

    again = await connect(1)
    open_ids = {t.order.orderId for t in again.openTrades()}
    assert resting.order.orderId in open_ids
    assert {f.execution.execId for f in again.fills()} == exec_ids
    fetched = await again.reqExecutionsAsync()
    assert {f.execution.execId for f in fetched} == exec_ids
    assert again.client.getReqId() > filled.order.orderId  # no id reuse after reconnect


async def _first_messages_of_a_reconnect(sim: Simulator, connect: Connect) -> list[str]:
    first = await connect(5)
    [aapl] = await first.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
    trade = first.placeOrder(aapl, LimitOrder("BUY", 1, 90.00, tif="GTC"))
    await wait_status(trade, "Submitted")
    first.disconnect()
    await wait_until(lambda: 5 not in sim.sessions, "the disconnect")
    again = IB()
    seen: list[str] = []
    original = again.client.decoder.interpret
    again.client.decoder.interpret = lambda fields: (seen.append(fields[0]), original(fields))
    try:
        await again.connectAsync(HOST, sim.port, clientId=5, timeout=2)
    finally:
        again.disconnect()
    return seen[: seen.index("15") + 1]  # up to managedAccounts


async def test_working_orders_are_downloaded_on_connection(sim: Simulator, connect: Connect
                                                           ) -> None:
    """TWS's "Download open orders on connection", on by default: before managedAccounts."""
    assert await _first_messages_of_a_reconnect(sim, connect) == ["5", "3", "53", "15"]


@pytest.mark.parametrize("sim_config", [{"download_open_orders": False}], indirect=True)
async def test_without_the_download_setting_nothing_comes_unasked(sim: Simulator,
                                                                  connect: Connect) -> None:
    assert await _first_messages_of_a_reconnect(sim, connect) == ["15"]
