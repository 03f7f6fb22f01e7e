"""`Writer`: the journal's writes onto its SQLite connection, and what the disk refused.

Each write runs in a savepoint of one open transaction (BEGIN IMMEDIATE: the write lock is
taken at the start, never half-way), so a write refused for what it holds spoils nothing else
and is logged and dropped (`on_error`). A write the disk refuses (full, locked, an I/O error,
damage) is kept in memory with the open transaction's writes and every write after it, in
order (backlog.py), and tried again: with an event loop from RETRY_FIRST up to RETRY_MOST
apart, RETRY_BATCH a turn; without one, at the next write. `on_backlog` hears each change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from .backlog import Backlog, Waiting, Write
from .files import DAMAGED, PASSING, error_code

logger = logging.getLogger(__name__)
T = TypeVar("T")

COMMIT_EVERY = 0.05  # seconds: statuses and replays of a burst share one commit
RETRY_FIRST, RETRY_MOST = 0.1, 5.0  # seconds between tries while the disk refuses
RETRY_BATCH = 1000  # writes landed per transaction (and per event-loop turn) when catching up


class Writer:
    """The write half of a Journal, which gives it its connection (`_db`) and the hooks."""

    _db: sqlite3.Connection
    read_only: bool

    def __init__(self, path: Path, clock: Callable[[], float], max_backlog: int) -> None:
        self.path = path
        self.last_error = ""
        self.on_error: Callable[[str], None] | None = None  # a write lost: once per kind
        self.on_backlog: Callable[[Backlog], None] | None = None  # behind, retried, caught up
        self._clock = clock
        self._commit_due = False  # a commit is scheduled (within COMMIT_EVERY)
        self._done: list[Write] = []  # written in the open transaction, not committed yet
        self._waiting = Waiting(max_backlog)
        self._retry: asyncio.TimerHandle | None = None
        self._retry_delay = RETRY_FIRST
        self._closed = False

    @property
    def backlog(self) -> Backlog:
        """How far behind the journal is: writes kept in memory, since when, and why."""
        return self._waiting.state()

    def commit(self) -> None:
        """Commit whatever is written and not yet committed (and, without an event loop to
        retry on, try again what the disk refused)."""
        if self._closed or self.read_only:
            return
        self._commit_due = False
        self._before_commit()
        try:
            if self._db.in_transaction:
                self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._fall_behind([], exc)
        else:
            self._committed()
        if self._waiting and _running_loop() is None:
            self._catch_up()

    def _finish(self) -> None:
        """Before closing: commit, and land all that waits now if the disk takes it."""
        self.commit()
        self._catch_up(now=True)
        if self._waiting:
            logger.error("journal %s closed %d writes behind: they are not saved",
                         self.path, self._waiting.state().writes)
        if self._retry is not None:
            self._retry.cancel()
        self._closed = True

    # -- hooks for the Journal -------------------------------------------------------------

    def _before_commit(self) -> None:
        """Writes held back for one statement (a replay's fills) go in now."""

    def _after_commit(self) -> None:
        """What the committed writes used may be forgotten."""

    def _after_rollback(self) -> None:
        """The open transaction's writes are undone (they are kept, to run again)."""

    def _start_afresh(self, why: str) -> None:
        """The file is damaged: give `_db` a new one (what waits then lands there)."""

    # -- writing ---------------------------------------------------------------------------

    def _submit(self, store: Callable[[sqlite3.Connection, float], T], *, failed: T,
                deferred: bool = False, size: int = 1) -> T | None:
        """One write: now, committed now or (deferred) within COMMIT_EVERY; or, while the
        journal is behind, kept after the others. `failed`: the answer when it is refused."""
        if self.read_only:
            return failed
        result = self._add(store, failed, size)
        if deferred:
            self._commit_later()
        else:
            self.commit()
        return result

    def _add(self, store: Callable[[sqlite3.Connection, float], T], failed: T,
             size: int = 1) -> T | None:
        """A write into the open transaction, or kept while behind; committed with it."""
        write = Write(store, self._clock(), size)
        if self._waiting:
            self._keep(write)
            return None
        try:
            if not self._db.in_transaction:
                self._db.execute("BEGIN IMMEDIATE")
            result = self._in_savepoint(lambda: write.store(self._db, write.at))
        except Exception as exc:  # sqlite3.Error mostly; anything else must not stop the feed
            if error_code(exc) not in PASSING:
                self._failed(exc)
                return failed
            self._fall_behind([write], exc)
            return None
        self._done.append(write)
        return result

    def _in_savepoint(self, work: Callable[[], T]) -> T:
        """Work in a savepoint of the open transaction, so a bad write spoils nothing else."""
        self._db.execute("SAVEPOINT one_write")
        try:
            result = work()
        except BaseException:
            if self._db.in_transaction:  # some failures (a full disk) end the transaction
                self._db.execute("ROLLBACK TO one_write")
                self._db.execute("RELEASE one_write")
            raise
        self._db.execute("RELEASE one_write")
        return result

    def _refused(self, exc: Exception) -> None:
        """A write inside another failed: the disk's fault is raised (all is tried again),
        the write's own is logged and only that write dropped."""
        if error_code(exc) in PASSING:
            raise exc
        self._failed(exc)

    def _committed(self) -> None:
        self._done.clear()
        self._after_commit()

    def _commit_later(self) -> None:
        if self._commit_due:
            return
        loop = _running_loop()
        if loop is None:  # no event loop (a script, a test): nothing to wait for
            self.commit()
            return
        self._commit_due = True
        loop.call_later(COMMIT_EVERY, self.commit)

    # -- what the disk refused -------------------------------------------------------------

    def _fall_behind(self, writes: list[Write], exc: Exception) -> None:
        """The disk refused: the open transaction's writes and these kept, first, in order."""
        self._roll_back()
        kept, self._done = self._done + writes, []
        if not self._waiting:
            logger.error("journal %s refused a write: keeping the writes in memory until it "
                         "takes them", self.path, exc_info=exc)
        if kept:
            self._waiting.put_back(kept, str(exc))
        if error_code(exc) in DAMAGED:
            self._start_afresh(str(exc))
        self._retry_later()
        self._tell_backlog()

    def _keep(self, write: Write) -> None:
        if not self._waiting.add(write) and self._waiting.dropped == write.size:  # the first
            self._lost(f"{self._waiting.bound:,} writes behind, no more are kept until it "
                       "takes them (IB sends the fills again on the next connect)")
            self._tell_backlog()
        if _running_loop() is None:  # nothing to retry on: this write tries again
            self._catch_up()

    def _catch_up(self, *, now: bool = False) -> None:
        """Land what is waiting, RETRY_BATCH writes a transaction; with an event loop, one
        transaction a turn (keys are answered between), else (or `now`) all at once."""
        self._retry = None
        if not self._waiting:
            return
        while self._waiting and not self._closed:
            batch = self._waiting.first(RETRY_BATCH)
            if not self._land(batch):
                self._retry_delay = min(self._retry_delay * 2, RETRY_MOST)
                self._retry_later()
                break
            self._waiting.landed(len(batch))
            self._retry_delay = RETRY_FIRST
            if self._waiting and not now and _running_loop() is not None:
                self._retry_later(0.0)
                break
        self._tell_backlog()

    def _land(self, batch: list[Write]) -> bool:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            for write in batch:
                try:
                    self._in_savepoint(partial(write.store, self._db, write.at))
                except Exception as exc:
                    self._refused(exc)
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._roll_back()
            self._waiting.error = str(exc)
            if error_code(exc) in DAMAGED:
                self._start_afresh(str(exc))
            return False
        self._committed()
        return True

    def _roll_back(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
        self._after_rollback()

    def _retry_later(self, delay: float | None = None) -> None:
        loop = _running_loop()
        if loop is None or self._retry is not None or self._closed:
            return
        wait = self._retry_delay if delay is None else delay
        self._retry = loop.call_later(wait, self._catch_up)

    def _tell_backlog(self) -> None:
        if self.on_backlog is not None:
            self.on_backlog(self._waiting.state())

    def _failed(self, exc: Exception) -> None:
        logger.error("journal write to %s failed", self.path, exc_info=exc)
        self._lost(str(exc))

    def _lost(self, text: str) -> None:
        if text != self.last_error and self.on_error is not None:
            self.on_error(text)  # once per kind of failure, not once per fill
        self.last_error = text


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
