"""The fault-schedule explorer in CI: a bounded number of seeded schedules (the same ones every
run); IB_BLOTTER_LONG=1 runs hundreds. A failure prints the schedule and how to replay it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .explorer import explore, report

SCHEDULES = 300 if os.environ.get("IB_BLOTTER_LONG") == "1" else 10


@pytest.mark.parametrize("seed", range(1, SCHEDULES + 1))
async def test_a_schedule_of_trading_and_faults_loses_nothing(seed: int, tmp_path: Path) -> None:
    outcome = await explore(seed, tmp_path)
    assert not outcome.violations, report(outcome)
