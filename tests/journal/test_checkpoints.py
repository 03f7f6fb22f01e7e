"""The WAL is checkpointed on a thread of its own, never by a commit on the event loop: a
checkpoint writes the WAL's pages into the file and syncs it, and on a loaded disk the commit
that ran it held the screen for 167 ms during a day's catch-up (SQLite's auto-checkpoint runs
in the connection that commits past 1,000 pages)."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from ib_blotter.journal import Journal
from ib_blotter.journal.checkpoints import Checkpointer

from .test_journal import NOW, fill

PAGES_PAST_AUTO = 3000  # WAL frames well past SQLite's auto-checkpoint (1,000 pages)


def write_many(journal: Journal, fills: int, first: int = 0) -> None:
    for n in range(first, first + fills):
        journal.record_fill(fill(f"0001f4a5.{n:08x}.01.01"))


def wal_frames(path: Path) -> tuple[int, int]:
    """(frames in the WAL, frames of them checkpointed), as another connection sees them."""
    db = sqlite3.connect(path)
    try:
        _busy, frames, done = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        db.close()
    return frames, done


def test_the_writers_commits_never_checkpoint(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Checkpointer, "due", lambda self: None)  # the thread is never woken
    journal = Journal(tmp_path / "journal.sqlite")
    try:
        write_many(journal, 6000)  # each write its own commit
        size = (tmp_path / "journal.sqlite-wal").stat().st_size
        assert size > PAGES_PAST_AUTO * 4096  # the commits let the WAL grow: none checkpointed
    finally:
        journal.close()


def test_the_checkpointer_thread_keeps_the_wal_checkpointed(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite")
    try:
        write_many(journal, 6000)
        checkpointer = journal._checkpointer
        assert checkpointer is not None and checkpointer.thread is not threading.current_thread()
        deadline = time.monotonic() + 10
        while checkpointer.runs == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert checkpointer.runs > 0
        write_many(journal, 10, first=6000)
        frames, done = wal_frames(tmp_path / "journal.sqlite")
        assert done == frames  # everything written is in the file itself
        assert len(journal.fills_between(NOW - timedelta(1), NOW + timedelta(1))) == 6010
    finally:
        journal.close()
    assert not (checkpointer.thread and checkpointer.thread.is_alive())
