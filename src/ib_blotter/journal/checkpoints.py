"""`Checkpointer`: the WAL written into the journal's file on a thread of its own.

SQLite checkpoints in the connection whose commit takes the WAL past 1,000 pages, and a
checkpoint writes those pages into the file and syncs it: on a loaded disk that commit held the
event loop 167 ms during a day's catch-up. The writer's connection never checkpoints
(files.open_writer); this thread's own connection does, passively (it never waits for the
writer, nor the writer for it), at most every CHECKPOINT_EVERY after the writer says it
committed. SQLite releases the GIL while it writes, so the screen goes on meanwhile.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from pathlib import Path

logger = logging.getLogger(__name__)

CHECKPOINT_EVERY = 1.0  # seconds between two checkpoints while writes go on


class Checkpointer:
    def __init__(self, path: Path, owner: object) -> None:
        """owner: the journal; should it be dropped unclosed, the thread ends with it."""
        self.path = path
        self.runs = 0  # checkpoints done, for the tests
        self._due = threading.Event()
        self._stop = threading.Event()
        weakref.finalize(owner, _end, self._stop, self._due)
        self.thread = threading.Thread(
            target=self._run, name=f"checkpoints {path.name}", daemon=True)
        self.thread.start()

    def due(self) -> None:
        """The writer committed: the WAL has grown."""
        self._due.set()

    def stop(self) -> None:
        """Stop, after the checkpoint under way if any (the writer's close does the last)."""
        _end(self._stop, self._due)
        self.thread.join()

    def _run(self) -> None:
        while self._due.wait() and not self._stop.is_set():
            self._due.clear()
            self._checkpoint()
            self._stop.wait(CHECKPOINT_EVERY)  # writes meanwhile wait for the next one

    def _checkpoint(self) -> None:
        """With a connection of its own, opened for it: an idle journal holds no file open
        here, and one set aside is not held on to."""
        try:
            # mode=rw: a file removed meanwhile is not made again here (it would not be private)
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=rw", uri=True)
            try:
                db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            finally:
                db.close()
        except sqlite3.Error as exc:  # damage is the writer's to find: it sets the file aside
            logger.warning("journal %s: checkpoint failed: %s", self.path, exc)
            return
        self.runs += 1


def _end(stop: threading.Event, due: threading.Event) -> None:
    stop.set()
    due.set()
