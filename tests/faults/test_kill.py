"""kill -9 the real app (`python -m ib_blotter`, in a pty) during a fill storm, then start it
again: the journal holds every fill the app had received, none twice, and after the restart
exactly the exchange's executions. The simulator runs here, so it outlives the app."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import re
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from ib_blotter.sim.model import OrderRequest, SimContract
from ib_blotter.sim.simulator import SimConfig, Simulator

from .conftest import wait_until

CLIENT_ID = 1
# The adapter logs every live execution as it arrives, before it journals it.
DECODED = re.compile(r"execution (\S+) received")


class App:
    """`python -m ib_blotter` in a pseudo-terminal; its screen output is read and dropped."""

    def __init__(self, port: int, journal: Path, log: Path) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "TEXTUAL_ANIMATIONS": "none"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ib_blotter", "--port", str(port), "--client-id",
             str(CLIENT_ID), "--journal", str(journal), "--log-file", str(log)],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(master, self._drain)

    def _drain(self) -> None:
        try:
            os.read(self.master, 65536)
        except OSError:  # the app is gone
            self.loop.remove_reader(self.master)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    async def quit(self) -> None:
        os.write(self.master, b"\x11")  # ctrl+q
        for _ in range(500):
            if self.process.poll() is not None:
                return
            await asyncio.sleep(0.01)
        self.kill()

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill()
        self.loop.remove_reader(self.master)
        os.close(self.master)


def listening_sockets(pid: int) -> list[str]:
    """TCP sockets in LISTEN state that process `pid` holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            if parts[3] == "0A" and parts[9] in inodes:
                found.append(parts[1])
    return found


def journaled(path: Path) -> list[str]:
    """Exec ids committed to the journal, read as another process would."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [row[0] for row in db.execute("SELECT exec_id FROM fills")]
    except sqlite3.OperationalError:  # not created yet
        return []
    finally:
        db.close()


def execution_events(path: Path) -> list[str]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [row[0] for row in db.execute("SELECT ref FROM events WHERE kind='execution'")]
    finally:
        db.close()


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator(SimConfig(port=0, pace=0, seed=11))
    await simulator.start()
    simulator.set_quote("AAPL", 100.00, 100.01, last=100.00, size=1)
    try:
        yield simulator
    finally:
        await simulator.stop()


def synced_spy(sim: Simulator) -> Callable[[], bool]:
    """True once the app asked for executions: its start-up sync is done."""
    asked: list[int] = []
    handle = sim.handle

    def spy(session, message):  # type: ignore[no-untyped-def]
        if message[:1] == ["7"]:
            asked.append(1)
        handle(session, message)

    sim.handle = spy  # type: ignore[method-assign]
    count = len(asked)
    return lambda: len(asked) > count


async def storm(sim: Simulator, orders: range, pause: float) -> None:
    """Market orders for the app's client id, straight into the exchange: ten fills each."""
    con_id = sim.instrument_id("AAPL")
    for n in orders:
        request = OrderRequest(action="BUY" if n % 2 else "SELL", totalQuantity=32,
                               orderType="MKT", tif="DAY")
        sim.exchange.place(CLIENT_ID, 10_000 + n, SimContract(conId=con_id), request)
        await asyncio.sleep(pause)


async def test_kill_9_during_a_storm_loses_no_fill_and_doubles_none(
    sim: Simulator, tmp_path: Path
) -> None:
    journal, log = tmp_path / "journal.sqlite", tmp_path / "app.log"
    synced = synced_spy(sim)
    app = App(sim.port, journal, log)
    try:
        await wait_until(synced, "the app to connect and sync", 30)
        assert listening_sockets(app.process.pid) == []  # the app opens no listening socket

        raging = asyncio.create_task(storm(sim, range(100), pause=0.01))
        await wait_until(lambda: len(journaled(journal)) >= 300, "300 fills journaled", 30)
        app.kill()
        seen_before_kill = set(journaled(journal))
        await raging  # the storm goes on at the exchange while the app is dead
    finally:
        app.close()

    decoded = set(DECODED.findall(log.read_text()))
    on_disk = journaled(journal)
    assert len(on_disk) == len(set(on_disk))
    assert seen_before_kill <= set(on_disk)
    # The adapter logs an execution just before it journals it: at the kill at most the one
    # being handled can be logged and not yet on disk.
    assert len(decoded) >= len(seen_before_kill), "the log names every execution received"
    assert len(decoded - set(on_disk)) <= 1, sorted(decoded - set(on_disk))
    held = sorted(f.execId for f in sim.exchange.fills)
    assert set(on_disk) <= set(held) and len(held) == 1000
    print(f"kill -9: {len(seen_before_kill)} fills seen in the journal before the kill, "
          f"{len(on_disk)} after, {len(decoded)} decoded by the app, {len(held)} at the exchange")

    synced = synced_spy(sim)
    again = App(sim.port, journal, log)
    try:
        await wait_until(synced, "the restarted app to sync", 30)
        await wait_until(lambda: sorted(journaled(journal)) == held,
                         lambda: f"the journal to catch up ({len(journaled(journal))} of 1000)",
                         30)
        await again.quit()
    finally:
        again.close()
    events = execution_events(journal)
    assert sorted(events) == held  # every execution written once, none twice
