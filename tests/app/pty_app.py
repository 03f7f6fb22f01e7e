"""The real app in a real pseudo-terminal, on its embedded simulator with a still market (so the
screen goes quiet between keys), connected and ready for keys."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from harness import app_env
from terminal import Terminal


@asynccontextmanager
async def blotter_in_a_pty(folder: Path, size: tuple[int, int] = (80, 24)
                           ) -> AsyncIterator[Terminal]:
    config = folder / "config.toml"
    config.write_text("[sim]\npace = 0\n")  # a still market: the screen goes quiet
    argv = [sys.executable, "-m", "ib_blotter", "--sim", "--config", str(config),
            "--log-file", str(folder / "log")]
    async with Terminal(argv, size=size, env=app_env(folder)) as term:
        # "● connected", not "connected": the status reads "● disconnected" before it connects
        await term.wait_for(lambda: term.screen.find("● connected") is not None, "connected")
        await term.quiet(0.3)
        yield term
