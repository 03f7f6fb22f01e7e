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
from ib_blotter.journal import Journal
from ib_blotter.private_files import PrivateFileError, open_private
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


# -- private files: regular files only, every directory made 0700 ------------------------------

def _not_regular_targets(tmp_path: Path) -> dict[str, Path]:
    """A fifo (with a reader, so opening it for writing cannot block), a directory, a symlink
    to the fifo, and as root a character device (a copy of /dev/null's node: chmodding it
    would harm nothing but the copy)."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o644)
    folder = tmp_path / "folder"
    folder.mkdir(mode=0o755)
    link = tmp_path / "link-to-fifo"
    link.symlink_to(fifo)
    targets = {"fifo": fifo, "directory": folder, "symlink to a fifo": link}
    try:
        os.mknod(tmp_path / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        os.chmod(tmp_path / "null", 0o666)
        targets["device"] = tmp_path / "null"
    except PermissionError:
        pass  # not root: no device node of our own to try
    return targets


def _modes(paths: dict[str, Path]) -> dict[str, int]:
    return {name: stat.S_IMODE(path.stat().st_mode) for name, path in paths.items()}


def test_a_private_file_is_a_regular_file_or_refused_and_never_chmodded(tmp_path: Path) -> None:
    targets = _not_regular_targets(tmp_path)
    before = _modes(targets)
    reader = os.open(tmp_path / "fifo", os.O_RDONLY | os.O_NONBLOCK)
    try:
        for name, path in targets.items():
            with pytest.raises(PrivateFileError, match="not a regular file"):
                os.close(open_private(path, os.O_WRONLY | os.O_TRUNC))
            assert _modes(targets) == before, name
    finally:
        os.close(reader)


def test_export_to_a_device_says_so_and_leaves_it_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = tmp_path / "journal.sqlite"
    Journal(journal).close()
    targets = _not_regular_targets(tmp_path)
    targets.pop("fifo"), targets.pop("symlink to a fifo")  # no reader: covered above
    before = _modes(targets)
    for name, path in targets.items():
        with pytest.raises(SystemExit) as stopped:
            cli.main(["export", "--journal", str(journal), "--output", str(path)])
        assert stopped.value.code == 1, name
        err = capsys.readouterr().err
        assert "not a regular file" in err and "Traceback" not in err, err
        assert err.count("\n") == 1, err
    assert _modes(targets) == before


def test_a_log_file_that_is_not_a_regular_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(BlotterApp, "run", _must_not_start)
    folder = tmp_path / "folder"
    folder.mkdir(mode=0o755)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--log-file", str(folder)])
    assert "not a regular file" in str(stopped.value.code)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755


def _must_not_start(self: BlotterApp) -> None:
    raise AssertionError("the app started with a log file it cannot write")


def test_every_directory_made_is_private_whatever_the_umask(tmp_path: Path) -> None:
    old_umask = os.umask(0)
    try:
        path = tmp_path / "a" / "b" / "c" / "file"
        os.close(open_private(path, os.O_WRONLY))
    finally:
        os.umask(old_umask)
    made = [tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"]
    assert [oct(stat.S_IMODE(p.stat().st_mode)) for p in made] == ["0o700"] * 3
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
