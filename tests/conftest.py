"""Test-wide settings: no animations, so screens and snapshots are the same on every run;
and no test reads or writes the real user's journal, config or logs."""

import os
from pathlib import Path

import pytest

os.environ["TEXTUAL_ANIMATIONS"] = "none"


@pytest.fixture(autouse=True)
def private_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """platformdirs' data, state and config homes inside this test's tmp dir: an app started
    by a test keeps its journal there, empty at start (subprocesses inherit it)."""
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(name, str(tmp_path / "home" / name.lower()))
