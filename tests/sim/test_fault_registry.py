"""The faults as one registry: every fault listed by name with its help and arguments, applied
the same way from the console, the command line and Python; and the faults the explorer needs
beyond the old switches (corrected executions, late and early commission reports)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from ib_async import IB, Contract, MarketOrder

from ib_blotter.sim import cli
from ib_blotter.sim.control import ControlError, run_command
from ib_blotter.sim.faults import FAULTS, FaultError, corrected_id
from ib_blotter.sim.simulator import Simulator

from .conftest import HOST, Connect, wait_status, wait_until

EXPLORER_NEEDS = {"drop", "restart", "delay", "dup", "reorder", "connectivity", "pacing",
                  "correction", "late-commission", "early-commission"}


class TimedWire:
    """Every message an ib_async client decoded, with when it was decoded."""

    def __init__(self, ib: IB) -> None:
        self.messages: list[tuple[float, list[str]]] = []
        original = ib.client.decoder.interpret

        def interpret(fields: list[str]) -> None:
            self.messages.append((time.monotonic(), list(fields)))
            original(fields)

        ib.client.decoder.interpret = interpret

    def of(self, *msg_ids: int) -> list[tuple[float, list[str]]]:
        wanted = {str(m) for m in msg_ids}
        return [(t, m) for t, m in self.messages if m and m[0] in wanted]


def exec_id(message: list[str]) -> str:
    return message[14] if message[0] == "11" else message[2]  # execDetails / commissionReport


def test_the_registry_holds_every_fault_the_explorer_needs() -> None:
    assert set(FAULTS) >= EXPLORER_NEEDS
    for name, entry in FAULTS.items():
        assert entry.name == name and entry.help and entry.usage.startswith(name)
        assert all(argument.name for argument in entry.arguments)


def test_the_console_help_is_the_registry(sim: Simulator) -> None:
    listing = run_command(sim, "help")
    for entry in FAULTS.values():
        assert f"{entry.usage:<31} {entry.help}" in listing


def test_the_readme_lists_every_fault() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text().replace("\\|", "|")
    for entry in FAULTS.values():
        assert f"| `{entry.usage}` |" in readme, entry.usage


def test_every_fault_the_start_can_take_is_a_flag(sim: Simulator) -> None:
    start = [e for e in FAULTS.values() if e.at_start]
    values = {"SECONDS": "0.25", "N": "3", "on|off": "on"}
    argv = [word for e in start for word in (f"--{e.name}", values[e.arguments[0].name])]
    cli.apply_start_faults(sim, cli.parse_args(argv))
    faults = sim.faults
    assert (faults.reply_delay, faults.duplicate_executions, faults.reorder_statuses) == (
        0.25, 3, True)
    assert (faults.pacing_limit, faults.corrected_executions) == (3, 3)
    assert (faults.commission_delay, faults.commission_early) == (0.25, True)
    with pytest.raises(SystemExit):
        cli.parse_args(["--delay", "soon"])


def test_faults_apply_by_name_from_python_with_values_or_words(sim: Simulator) -> None:
    assert sim.fault("delay", 0.5) == "reply delay 0.5 s"
    assert sim.fault("delay", "0") == "reply delay 0 s"
    assert sim.fault("dup") == "next 1 execution(s) sent twice"  # N defaults to 1
    assert sim.fault("reorder", True) == sim.fault("reorder", "on")
    assert sim.fault("early-commission", "off").startswith("commission reports after")
    for name, args in [("nosuch", ()), ("delay", ()), ("delay", ("-1",)), ("reorder", ("maybe",)),
                       ("connectivity", (1234,)), ("pacing", (1, 2)), ("dup", ("x",))]:
        with pytest.raises(FaultError):
            sim.fault(name, *args)
    with pytest.raises(ControlError):
        run_command(sim, "connectivity 1234")


def test_a_correction_bumps_the_last_group() -> None:
    assert corrected_id("0000e0d5.69dd7411.01.01") == "0000e0d5.69dd7411.01.02"
    assert corrected_id("0000e0d5.69dd7411.01.0f") == "0000e0d5.69dd7411.01.10"


async def test_a_corrected_execution_follows_its_original(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    """As IB corrects a fill: the same execution under its id with the last group one higher,
    and its own commission report; the day's executions then hold the corrected one."""
    wire = TimedWire(ib)
    sim.fault("correction", 1)
    trade = ib.placeOrder(aapl, MarketOrder("BUY", 10))
    await wait_status(trade, "Filled")
    await wait_until(lambda: len(wire.of(59)) == 2, "both commission reports")
    original, correction = (exec_id(m) for _, m in wire.of(11))
    assert correction == corrected_id(original)
    assert [exec_id(m) for _, m in wire.of(59)] == [original, correction]
    assert [f.execId for f in sim.exchange.fills] == [correction]
    replay = await ib.reqExecutionsAsync()
    assert [f.execution.execId for f in replay] == [correction]
    assert sim.faults.corrected_executions == 0  # only the next one


async def test_late_commission_reports_come_that_much_later(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    wire = TimedWire(ib)
    sim.fault("late-commission", 0.3)
    trade = ib.placeOrder(aapl, MarketOrder("BUY", 10))
    await wait_status(trade, "Filled")
    await wait_until(lambda: wire.of(59), "the commission report")
    [(executed, _)], [(reported, _)] = wire.of(11), wire.of(59)
    assert reported - executed >= 0.28  # as decoded: the execution may be read late
    await wait_until(lambda: trade.fills[0].commissionReport.commission > 0, "its commission")


async def test_early_commission_reports_come_before_their_executions(
    sim: Simulator, ib: IB, aapl: Contract
) -> None:
    wire = TimedWire(ib)
    sim.fault("early-commission", "on")
    trade = ib.placeOrder(aapl, MarketOrder("BUY", 10))
    await wait_status(trade, "Filled")
    await wait_until(lambda: wire.of(11), "the execution")
    assert [m[0] for _, m in wire.of(11, 59)] == ["59", "11"]
    assert exec_id(wire.of(59)[0][1]) == exec_id(wire.of(11)[0][1])


async def test_restart_by_name_refuses_then_takes_connections_again(
    sim: Simulator, connect: Connect, ib: IB
) -> None:
    assert run_command(sim, "restart 0.5") == "refusing connections for 0.5 s"
    await wait_until(lambda: not ib.isConnected(), "the restart to drop the client")
    with pytest.raises(ConnectionRefusedError):
        await IB().connectAsync(HOST, sim.port, clientId=2, timeout=2)
    await asyncio.sleep(0.6)
    again = await connect(2)
    assert again.isConnected()


async def test_a_restart_under_way_when_the_simulator_stops_ends_with_it(sim: Simulator) -> None:
    sim.fault("restart", 60)
    await asyncio.sleep(0)
    await asyncio.wait_for(sim.stop(), 5)
