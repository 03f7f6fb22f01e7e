"""Start-up to first paint: ib-blotter against a minimal Textual app, in the same run.

Both start as fresh processes on a 120x40 pty (the interpreter, the imports, the first frame);
the time is from spawning the process until the terminal shows the app's screen: the orders
table's title for ib-blotter (connecting to a simulator that listens), a line of text for the
minimal app (one Static in an App). They run in turn, several times; medians are compared.

Both load compiled bytecode, as installed: pip compiles a package when it installs it, but an
editable install under PYTHONDONTWRITEBYTECODE would recompile ib-blotter on every start, so
its modules are compiled first (`compileall`, into their __pycache__).
"""

from __future__ import annotations

import asyncio
import compileall
import statistics
import sys
import tempfile
from pathlib import Path

from harness import app_argv, app_env
from terminal import Terminal

import ib_blotter
from ib_blotter.sim.simulator import SimConfig, Simulator

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static("minimal textual app")

Minimal().run()
"""


async def first_paint(argv: list[str], marker: str, folder: Path) -> float:
    terminal = Terminal(argv, env=app_env(folder))
    try:
        await terminal.start()
        shown = await terminal.wait_for(lambda: terminal.screen.find(marker) is not None,
                                        f"{marker!r} on screen")
        return shown - terminal.started
    finally:
        await terminal.stop()


async def run(quick: bool = False) -> dict[str, float]:
    rounds = 1 if quick else 5
    compileall.compile_dir(Path(ib_blotter.__file__).parent, quiet=1)
    app_times: list[float] = []
    minimal_times: list[float] = []
    async with Simulator(SimConfig(port=0, pace=0)) as sim:
        with tempfile.TemporaryDirectory() as folder:
            for _ in range(rounds):
                minimal_times.append(await first_paint([sys.executable, "-c", MINIMAL_APP],
                                                       "minimal textual app", Path(folder)))
                app_times.append(await first_paint(app_argv(sim.port, Path(folder)),
                                                   "Working orders", Path(folder)))
    app, minimal = statistics.median(app_times), statistics.median(minimal_times)
    return {"app_s": app, "minimal_s": minimal, "ratio": app / minimal, "rounds": rounds}


def main() -> None:
    import json

    print(json.dumps(asyncio.run(run(quick="--quick" in sys.argv)), indent=2))


if __name__ == "__main__":
    main()
