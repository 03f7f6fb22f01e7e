"""Security: read-only really is read-only down to ib_async, files holding account data are the
user's alone, nothing is printed, and the only listening socket is --sim's, on loopback.
(The real app's sockets are checked in test_kill, through /proc.)"""

from __future__ import annotations

import ast
import logging
import os
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import ib_blotter
from ib_blotter import cli
from ib_blotter.config import Settings
from ib_blotter.sim.simulator import Simulator
from ib_blotter.state.gate import NotApprovedError
from ib_blotter.ui.app import BlotterApp

from .conftest import Harness, start_harness, wait_until


@pytest.fixture
async def readonly(sim: Simulator, tmp_path: Path) -> AsyncIterator[tuple[Harness, list[str]]]:
    requests: list[str] = []
    handle = sim.handle

    def spy(session, message):  # type: ignore[no-untyped-def]
        requests.append(message[0])
        handle(session, message)

    sim.handle = spy  # type: ignore[method-assign]
    async for running in start_harness(sim, tmp_path / "j.sqlite", readonly=True):
        yield running, requests


async def test_readonly_connects_ib_async_read_only(
    readonly: tuple[Harness, list[str]],
) -> None:
    harness, requests = readonly
    # ib_async's read-only connect skips the order syncs a read-only TWS refuses:
    # reqOpenOrders (5) and reqCompletedOrders (99), and never binds orders (15).
    assert "61" in requests  # it did sync (positions)
    assert not {"5", "99", "15"} & set(requests)
    aapl = await harness.contract("AAPL")
    with pytest.raises(NotApprovedError, match="Read-only"):  # the gate never approves it
        harness.place(aapl, "BUY", 1)
    assert "3" not in requests  # no placeOrder left the process


def test_the_log_file_and_its_directory_are_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        fresh = tmp_path / "new" / "app.log"
        cli.setup_logging(fresh)
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
        assert stat.S_IMODE(fresh.parent.stat().st_mode) == 0o700
        old = tmp_path / "old.log"
        old.write_text("")
        os.chmod(old, 0o644)
        cli.setup_logging(old)
        assert stat.S_IMODE(old.stat().st_mode) == 0o600
        # and nothing is logged to the terminal: the file is the only handler
        streams = [getattr(h, "stream", None) for h in root.handlers]
        assert not {sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__} & set(streams)
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:], root.level = saved
        os.umask(old_umask)


def test_a_config_others_can_read_is_reported(tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[connection]\naccount = "DU1234567"\n')
    os.chmod(config, 0o644)
    cli.warn_if_shared(config)
    assert "can be read by other users" in caplog.text
    caplog.clear()
    os.chmod(config, 0o600)
    cli.warn_if_shared(config)
    assert not caplog.text


def test_no_module_of_the_app_prints() -> None:
    """stdout belongs to the terminal UI: account data must never be printed to it. Only the
    command-line front ends (argument errors, the export the user asked for) write there."""
    package = Path(ib_blotter.__file__).parent
    allowed = {"cli.py", "export_cli.py", "sim/cli.py"}
    printing = []
    for path in package.rglob("*.py"):
        name = str(path.relative_to(package))
        if name in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "print":
                printing.append(f"{name}:{node.lineno}")
    assert not printing, printing


async def test_the_embedded_simulator_listens_on_loopback_only(tmp_path: Path) -> None:
    app = BlotterApp(Settings(sim=True, sim_pace=0.0, journal_file=tmp_path / "j.sqlite"))
    async with app.run_test(size=(80, 24)):
        await wait_until(lambda: app.simulator is not None and app.simulator._server is not None,
                         "the simulator to listen")
        assert app.simulator is not None and app.simulator._server is not None
        hosts = {s.getsockname()[0] for s in app.simulator._server.sockets}
        assert hosts == {"127.0.0.1"}
