"""Always know what you are connected to: an ib-blotter-sim started on its own says so (a real
TWS never would), the blotter shows SIMULATED and keeps its paper fills in the paper journal;
and the blotter refuses to draw into a file when stderr is not a terminal."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ib_blotter.config import default_journal_path
from ib_blotter.sim.simulator import SimConfig, Simulator

from .conftest import sim_settings, start


@pytest.fixture
async def outside_sim() -> AsyncIterator[Simulator]:
    sim = Simulator(SimConfig(port=0, pace=0))
    await sim.start()
    yield sim
    await sim.stop()


async def test_a_simulator_started_on_its_own_shows_simulated_and_keeps_paper_fills_apart(
    outside_sim: Simulator,
) -> None:
    live, paper = default_journal_path(False), default_journal_path(True)
    settings = sim_settings(sim=False, port=outside_sim.port, journal_file=None)
    async for blotter in start(settings):
        app = blotter.app
        assert app.state.connection.simulated
        assert "SIMULATED" in str(app.blotter.query_one("#connection").render())
        assert app.journal is not None and app.journal.path == paper
        assert not live.exists() or live.stat().st_size == 0 or app.journal.path != live


def test_a_real_tws_is_never_taken_for_the_simulator() -> None:
    from ib_blotter.state.tws_time import is_simulator

    assert not is_simulator("20261201 09:56:00 US/Eastern")
    assert not is_simulator("20261201 09:56:00 EST")
    assert is_simulator("20261201 09:56:00 US/Eastern ib-blotter-sim")


def test_stderr_not_a_terminal_is_said_in_a_sentence(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ib_blotter", "--sim", "--log-file", str(tmp_path / "log")],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=30,
        text=True)
    assert result.returncode != 0
    assert "stderr" in result.stdout and "terminal" in result.stdout
    assert result.stderr == ""  # nothing drawn into the file
