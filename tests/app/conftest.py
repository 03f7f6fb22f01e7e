"""The app driven by keys against its embedded simulator, over a real loopback socket."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from textual.pilot import Pilot

from ib_blotter.config import Settings
from ib_blotter.sim.simulator import Simulator
from ib_blotter.state.records import ConnectionState
from ib_blotter.ui.app import BlotterApp


async def until(pilot: Pilot, condition: Callable[[], object], what: str,
                timeout: float = 10.0) -> None:
    """Let the app run until `condition()` holds; fail saying what never happened."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for: {what}")
        await pilot.pause(0.02)


@dataclass
class Blotter:
    """The running app, its pilot, and the exchange it trades with."""

    app: BlotterApp
    pilot: Pilot

    @property
    def sim(self) -> Simulator:
        assert self.app.simulator is not None
        return self.app.simulator

    async def type(self, text: str) -> None:
        await self.pilot.press(*text)

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)

    async def until(self, condition: Callable[[], object], what: str,
                    timeout: float = 10.0) -> None:
        await until(self.pilot, condition, what, timeout)

    def log_text(self) -> str:
        return "\n".join(self.app.blotter.exec_log.lines_written)

    async def look_up(self, symbol: str) -> None:
        await self.press("n")
        await self.press("ctrl+a", "ctrl+k")  # clear whatever the field held
        await self.type(symbol)
        await self.press("enter")
        await self.until(lambda: self.app.blotter.ticket_desk.found is not None
                         and self.app.blotter.ticket.resolved_text == symbol.upper(),
                         f"{symbol} looked up")


def sim_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"sim": True, "sim_pace": 0.0, "linger": 0.5,
                                 "log_file": None}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


async def start(settings: Settings, size: tuple[int, int] = (120, 36)) -> AsyncIterator[Blotter]:
    app = BlotterApp(settings)
    async with app.run_test(size=size) as pilot:
        blotter = Blotter(app, pilot)
        await blotter.until(lambda: app.state.connection.state is ConnectionState.CONNECTED,
                            "connected to the embedded simulator")
        yield blotter


@pytest.fixture
async def blotter() -> AsyncIterator[Blotter]:
    async for running in start(sim_settings()):
        yield running


@pytest.fixture
async def readonly_blotter() -> AsyncIterator[Blotter]:
    async for running in start(sim_settings(readonly=True)):
        yield running
