"""The `ib-blotter-sim` console script as a process, and the console's commands."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import pytest
from ib_async import IB, LimitOrder, Stock

from ib_blotter.sim.control import ControlError, run_command
from ib_blotter.sim.simulator import SimConfig, Simulator

from .conftest import HOST, TIMEOUT, Connect, ErrorLog, wait_status, wait_until

SRC = Path(__file__).resolve().parents[2] / "src"


async def test_cli_serves_then_stops_cleanly_on_sigterm() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ib_blotter.sim.cli",
        "--port",
        "0",
        "--no-console",
        "--pace",
        "0",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        banner = (await asyncio.wait_for(process.stdout.readline(), TIMEOUT)).decode()
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", banner)
        assert match, f"no port in {banner!r}"
        ib = IB()
        await ib.connectAsync(HOST, int(match.group(1)), clientId=1, timeout=TIMEOUT)
        assert ib.client.serverVersion() == 178
        ib.disconnect()
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), TIMEOUT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    stderr = (await process.stderr.read()).decode()
    assert code == 0, stderr
    assert "client 1 connected" in stderr and "client 1 disconnected" in stderr


async def test_quote_command_moves_the_market_clients_see(sim: Simulator, ib: IB) -> None:
    [aapl] = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
    ticker = ib.reqMktData(aapl)
    reply = run_command(sim, "quote AAPL 120.10 120.12 120.11")
    assert reply == "AAPL 120.1 / 120.12 last 120.11"
    await wait_until(lambda: ticker.bid == 120.10 and ticker.last == 120.11, "the new quote")


async def test_manual_and_orders_commands(sim: Simulator, connect: Connect) -> None:
    run_command(sim, "quote AAPL 100 100.01")
    reply = run_command(sim, "manual AAPL BUY 100 LMT 99")
    assert reply.startswith("manual order permId")
    zero = await connect(0)
    await wait_until(lambda: zero.openTrades(), "client 0 to bind the manual order")
    listing = run_command(sim, "orders")
    assert "AAPL LMT Submitted" in listing and "client   0" in listing


async def test_session_and_auction_commands(sim: Simulator, ib: IB) -> None:
    run_command(sim, "quote AAPL 100 100.01")
    [aapl] = await ib.qualifyContractsAsync(Stock("AAPL", "SMART", "USD"))
    trade = ib.placeOrder(aapl, LimitOrder("BUY", 100, 99.00))
    await wait_status(trade, "Submitted")
    assert run_command(sim, "session extended") == "session extended"
    assert run_command(sim, "auction close") == "closing auction run"
    await wait_status(trade, "Cancelled")  # a DAY order ends with the close


async def test_fault_commands_set_the_switches(sim: Simulator, ib: IB) -> None:
    errors = ErrorLog(ib)
    run_command(sim, "delay 0.01")
    run_command(sim, "dup 2")
    run_command(sim, "reorder on")
    run_command(sim, "pacing 40")
    assert (sim.faults.reply_delay, sim.faults.duplicate_executions) == (0.01, 2)
    assert sim.faults.reorder_statuses and sim.faults.pacing_limit == 40
    run_command(sim, "connectivity 1101")
    await wait_until(lambda: 1101 in errors.codes(), "notice 1101")
    run_command(sim, "pacing 0")
    run_command(sim, "delay 0")
    assert run_command(sim, "drop") == "dropped 1 connection(s)"
    await wait_until(lambda: not ib.isConnected(), "the drop")


@pytest.mark.parametrize(
    "line", ["nosuch", "quote NOSUCH 1 2", "quote AAPL", "auction noon", "session lunch"]
)
def test_bad_console_lines_raise_control_error(sim: Simulator, line: str) -> None:
    with pytest.raises(ControlError):
        run_command(sim, line)


def test_help_lists_every_command(sim: Simulator) -> None:
    listing = run_command(sim, "help")
    for name in ("quote", "manual", "drop", "restart", "dup", "reorder", "pacing"):
        assert name in listing


async def test_binding_beyond_loopback_warns(caplog: pytest.LogCaptureFixture) -> None:
    async with Simulator(SimConfig(host="0.0.0.0", port=0, pace=0)):
        pass
    assert any("anyone who reaches it can trade" in r.getMessage() for r in caplog.records)
