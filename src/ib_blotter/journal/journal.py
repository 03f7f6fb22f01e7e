"""`Journal`: what happened today, on disk, so a crash or kill -9 loses nothing.

A SQLite database in WAL mode holds two tables (schema.py): `fills`, one row per execution
keyed by its exec id without the correction suffix (IB's corrections replace the row), and
`events`, an append-only record of every execution, commission report, order action we sent
(contract and order as JSON), status change and IB error.

A fill we are told of live, its commission and each order action we send are committed before
the state (and so the screen) hears of them: what the trader saw is on disk. Order statuses,
IB's messages and the executions replayed after a connect are written to the same transaction
and committed within COMMIT_EVERY (50 ms), or with the next live fill, so a burst costs one
commit (a status storm would otherwise commit thousands of times a second on the UI's thread).
What they hold is at IB anyway: the next connect asks for it again. synchronous=NORMAL
keeps a commit at tens of microseconds; a commit survives the process being killed, and only an
OS crash can lose the last few, which the next start's reqExecutions brings back.

One process writes a journal (files.py): a second one on the same file reads it and writes
nothing (`read_only`, `in_use_by`). Writing never raises: a full disk must not stop the
blotter from showing fills. A write the disk refuses (full, locked, an I/O error) is kept in
memory with every write after it, in order, and retried until it lands (`backlog`,
`on_backlog`); a write refused for what it holds is logged and dropped (`on_error`). A file
found damaged is set aside and a new journal started (`set_aside`, `on_set_aside`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from ..state.records import FillRow, OrderKey, OrderRow, exec_base, is_later_revision
from .backlog import MAX_BACKLOG, Backlog, Waiting, Write
from .files import (
    DAMAGED,
    PASSING,
    InUse,
    Unusable,
    error_code,
    hold_writer_lock,
    open_reader,
    open_writer,
    set_aside,
    why_unusable,
)
from .schema import (
    FILL_COLUMNS,
    FILL_LIST,
    INSERT_EVENT,
    JSON,
    NEW_FILL,
    UPSERT_FILL,
    fill_document,
    fill_from_row,
    fill_values,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

COMMIT_EVERY = 0.05  # seconds: statuses and replays of a burst share one commit
KEYS_PER_QUERY = 500  # below SQLite's oldest limit on a statement's parameters (999)
RETRY_FIRST, RETRY_MOST = 0.1, 5.0  # seconds between tries while the disk refuses
RETRY_BATCH = 1000  # writes landed per transaction (and per event-loop turn) when catching up
TIME = FILL_COLUMNS.index("time")


class JournalError(Exception):
    """The journal file cannot be opened or read; the text says where and why."""


@dataclass(frozen=True, slots=True)
class JournalEvent:
    time: datetime
    kind: str
    ref: str
    code: int | None
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Commission:
    commission: float
    currency: str
    realized_pnl: float | None


class Journal:
    """The day's fills and events in a private SQLite file; see the module docstring."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time,
                 read_only: bool = False, max_backlog: int = MAX_BACKLOG) -> None:
        self.path = path
        self.read_only = read_only  # reads only: an export, or another process writes it
        self.in_use_by: int | None = None  # that other process's pid, when known
        self.set_aside: Path | None = None  # where a damaged or foreign file found here went
        self.set_aside_why = ""
        self.last_error = ""
        self.on_error: Callable[[str], None] | None = None  # a write lost: once per kind
        self.on_backlog: Callable[[Backlog], None] | None = None  # behind, retried, caught up
        self.on_set_aside: Callable[[Path, str], None] | None = None  # damage found later
        self._clock = clock
        self._statuses: dict[OrderKey, tuple[str, float, float]] = {}  # last status written
        self._pending: OrderedDict[str, _Commission] = OrderedDict()  # commission before fill
        self._used_pending: list[str] = []  # taken by fills in the open transaction
        self._commit_due = False  # a commit is scheduled (within COMMIT_EVERY)
        self._replayed: list[FillRow] = []  # replayed fills not written yet
        self._done: list[Write] = []  # written in the open transaction, not committed yet
        self._waiting = Waiting(max_backlog)
        self._retry: asyncio.TimerHandle | None = None
        self._retry_delay = RETRY_FIRST
        self._lock: int | None = None
        self._closed = False
        try:
            self._db = self._open()
        except (OSError, sqlite3.Error, Unusable) as exc:
            self._release_lock()
            raise JournalError(f"journal {path} cannot be used ({exc})") from exc

    def _open(self) -> sqlite3.Connection:
        if self.read_only:
            return open_reader(self.path)
        try:
            self._lock = hold_writer_lock(self.path)
        except InUse as busy:
            self.read_only, self.in_use_by = True, busy.pid
            # the writer, just started, may not have made the file yet
            return open_reader(self.path, wait=1.0)
        why = why_unusable(self.path)
        if why:
            self._set_aside_file(why)
        return open_writer(self.path)

    def close(self) -> None:
        if self._closed:
            return
        self.commit()
        self._catch_up(now=True)
        if self._waiting:
            logger.error("journal %s closed %d writes behind: they are not saved",
                         self.path, self._waiting.state().writes)
        if self._retry is not None:
            self._retry.cancel()
        self._closed = True
        self._db.close()
        self._release_lock()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def record_fill(self, fill: FillRow) -> bool | None:
        """Store an execution; True when it was new, a correction, or brought its commission.

        The same exec id again (a duplicate, a replay after a reconnect) changes nothing; an
        older revision of a fill IB has since corrected is ignored. None: not written yet
        (the journal is behind, see `backlog`); False too when read-only.
        """
        return self._submit(lambda db, at: self._store_fill(db, fill, at), failed=False)

    def record_replayed(self, fill: FillRow) -> None:
        """An execution from IB's answer to reqExecutions (perhaps one we have): kept, and
        written with the others that came within COMMIT_EVERY, in one statement, when those
        are committed."""
        if not self.read_only:
            self._replayed.append(fill)
            self._commit_later()

    def record_commission(
        self, exec_id: str, commission: float, currency: str, realized_pnl: float | None
    ) -> None:
        """A commission report: onto its fill if we have that revision, else kept for it."""
        report = _Commission(commission, currency, realized_pnl)
        self._submit(lambda db, at: self._store_commission(db, exec_id, report, at), failed=None)

    def record_order_action(
        self, action: str, key: OrderKey | None, order: dict[str, Any]
    ) -> None:
        """An order request we sent (place, modify, cancel, global cancel), whole."""
        self._event_write("order_action", str(key) if key else "", None,
                          {"action": action, **order})

    def record_status(self, row: OrderRow) -> None:
        """An order's status as IB reported it; only changes of status or fill are written."""
        seen = (row.status, row.filled, row.remaining)
        if self._statuses.get(row.key) == seen:
            return
        self._statuses[row.key] = seen
        data = {
            "status": row.status, "filled": row.filled, "remaining": row.remaining,
            "avg_fill_price": row.avg_fill_price, "perm_id": row.perm_id,
            "symbol": row.symbol, "side": row.side, "quantity": row.quantity,
            "order_type": row.order_type, "limit": row.limit, "aux": row.aux,
        }
        self._event_write("status", str(row.key), None, data, deferred=True)

    def record_error(self, req_id: int, code: int, text: str) -> None:
        """An error or notice from IB (reqId -1: not about a request)."""
        self._event_write("error", str(req_id), code,
                          {"req_id": req_id, "code": code, "text": text}, deferred=True)

    def commit(self) -> None:
        """Commit whatever is written and not yet committed (and, without an event loop to
        retry on, try again what the disk refused)."""
        if self._closed or self.read_only:
            return
        self._commit_due = False
        self._write_replayed()
        try:
            if self._db.in_transaction:
                self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._fall_behind([], exc)
        else:
            self._committed()
        if self._waiting and _running_loop() is None:
            self._catch_up()

    @property
    def backlog(self) -> Backlog:
        """How far behind the journal is: writes kept in memory, since when, and why."""
        return self._waiting.state()

    # -- reading ---------------------------------------------------------------------------

    def fills_between(self, start: datetime, end: datetime) -> list[FillRow]:
        """Fills with start <= time < end, oldest first (in the order written, at one time)."""
        self._write_replayed()
        rows = self._rows(f"SELECT {FILL_LIST} FROM fills WHERE time >= ? AND time < ? "
                          "ORDER BY time, rowid",
                          (start.timestamp(), end.timestamp()))
        return [fill_from_row(row) for row in rows]

    def fills_today(self, now: datetime | None = None) -> list[FillRow]:
        """Today's fills (local midnight until now), oldest first."""
        return self.fills_between(*today(now))

    def any_between(self, start: datetime, end: datetime) -> bool:
        """Whether a fill has start <= time < end (one step of an index, unlike count(*):
        10 ms over a 200,000-fill day)."""
        return bool(self._rows("SELECT 1 FROM fills WHERE time >= ? AND time < ? LIMIT 1",
                               (start.timestamp(), end.timestamp())))

    def fills_in_chunks(self, start: datetime, end: datetime, *, newest: int,
                        chunk: int) -> Iterator[list[FillRow]]:
        """The newest `newest` fills with start <= time < end, oldest first, at most `chunk`
        a step: each step one short query, so a caller can let the event loop run between."""
        span = (start.timestamp(), end.timestamp())
        first = self._rows("SELECT time, rowid FROM fills WHERE time >= ? AND time < ? "
                           "ORDER BY time DESC, rowid DESC LIMIT 1 OFFSET ?", (*span, newest - 1))
        after = (first[0][0], first[0][1] - 1) if first else (span[0], -1)
        while True:
            rows = self._rows(
                f"SELECT {FILL_LIST}, rowid FROM fills WHERE time >= ? AND time < ? "
                "AND (time > ? OR rowid > ?) ORDER BY time, rowid LIMIT ?",
                (after[0], span[1], after[0], after[1], chunk))
            if rows:
                yield [fill_from_row(row[:-1]) for row in rows]
            if len(rows) < chunk:
                return
            after = (rows[-1][TIME], rows[-1][-1])

    def events(self, kind: str | None = None) -> list[JournalEvent]:
        query = "SELECT time, kind, ref, code, data FROM events"
        params: tuple[str, ...] = ()
        if kind is not None:
            query, params = query + " WHERE kind = ?", (kind,)
        return [
            JournalEvent(datetime.fromtimestamp(t, UTC), k, r, c, json.loads(d))
            for t, k, r, c, d in self._rows(query + " ORDER BY id", params)
        ]

    # -- storing ---------------------------------------------------------------------------

    def _store_fill(self, db: sqlite3.Connection, fill: FillRow, at: float) -> bool:
        fill = self._with_pending_commission(fill)
        if db.execute(NEW_FILL, fill_values(fill, self._clock())).rowcount:  # the usual case
            self._event(db, "execution", fill.exec_id, None, fill_document(fill), at)
            return True
        stored = db.execute(
            "SELECT exec_id, commission FROM fills WHERE exec_key = ?", (fill.key,)
        ).fetchone()
        if stored[0] != fill.exec_id:
            if not is_later_revision(fill.exec_id, stored[0]):
                return False
        elif fill.commission is None or stored[1] is not None:
            return False  # nothing new
        db.execute(UPSERT_FILL, fill_values(fill, self._clock()))
        if stored[0] != fill.exec_id:
            self._event(db, "execution", fill.exec_id, None, fill_document(fill), at)
        return True

    def _store_commission(self, db: sqlite3.Connection, exec_id: str, report: _Commission,
                          at: float) -> None:
        stored = db.execute(
            "SELECT exec_id, commission FROM fills WHERE exec_key = ?", (exec_base(exec_id),)
        ).fetchone()
        if stored is None or is_later_revision(exec_id, stored[0]):
            self._pending[exec_id] = report
            while len(self._pending) > 1000:
                self._pending.popitem(last=False)
        elif stored[0] == exec_id and stored[1] is None:
            db.execute(
                "UPDATE fills SET commission = ?, commission_currency = ?, realized_pnl = ? "
                "WHERE exec_key = ?",
                (report.commission, report.currency, report.realized_pnl, exec_base(exec_id)),
            )
            data = {"commission": report.commission, "currency": report.currency,
                    "realized_pnl": report.realized_pnl}
            self._event(db, "commission", exec_id, None, data, at)

    def _store_replayed(self, db: sqlite3.Connection, fills: list[FillRow], at: float) -> None:
        """The new ones in two statements (a day's 100,000 at connect), the rest (ones we
        have, corrections) one by one, as live fills are; a bad one spoils only itself."""
        try:
            rest = self._in_savepoint(lambda: self._insert_new(db, fills, at))
        except Exception as exc:
            self._refused(exc)
            rest = fills
        for fill in rest:
            try:
                self._in_savepoint(lambda fill=fill: self._store_fill(db, fill, at))
            except Exception as exc:
                self._refused(exc)

    def _insert_new(self, db: sqlite3.Connection, fills: list[FillRow],
                    at: float) -> list[FillRow]:
        """Insert the fills whose exec key is not stored yet; returns the others."""
        first: dict[str, FillRow] = {}
        rest: list[FillRow] = []
        for fill in map(self._with_pending_commission, fills):
            if first.setdefault(fill.key, fill) is not fill:
                rest.append(fill)  # the same execution twice in one batch
        known = self._stored_keys(db, list(first))
        new = [fill for key, fill in first.items() if key not in known]
        rest += [fill for key, fill in first.items() if key in known]
        recorded = self._clock()
        db.executemany(NEW_FILL, [fill_values(fill, recorded) for fill in new])
        db.executemany(INSERT_EVENT, [
            _event_values("execution", fill.exec_id, None, fill_document(fill), at)
            for fill in new])
        return rest

    def _stored_keys(self, db: sqlite3.Connection, keys: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(keys), KEYS_PER_QUERY):
            chunk = keys[start : start + KEYS_PER_QUERY]
            marks = ", ".join("?" * len(chunk))
            query = f"SELECT exec_key FROM fills WHERE exec_key IN ({marks})"
            found.update(key for (key,) in db.execute(query, chunk))
        return found

    def _event_write(self, kind: str, ref: str, code: int | None, data: dict[str, Any], *,
                     deferred: bool = False) -> None:
        self._submit(lambda db, at: self._event(db, kind, ref, code, data, at), failed=None,
                     deferred=deferred)

    def _event(self, db: sqlite3.Connection, kind: str, ref: str, code: int | None,
               data: dict[str, Any], at: float) -> None:
        db.execute(INSERT_EVENT, _event_values(kind, ref, code, data, at))

    def _with_pending_commission(self, fill: FillRow) -> FillRow:
        """The fill with the report that came before it; the report is forgotten only once
        the fill is committed (a transaction the disk refuses is tried again)."""
        report = self._pending.get(fill.exec_id)
        if report is None or fill.commission is not None:
            return fill
        self._used_pending.append(fill.exec_id)
        return replace(fill, commission=report.commission,
                       commission_currency=report.currency, realized_pnl=report.realized_pnl)

    # -- transactions, and what the disk refused -------------------------------------------

    def _submit(self, store: Callable[[sqlite3.Connection, float], T], *, failed: T,
                deferred: bool = False, size: int = 1) -> T | None:
        """One write: now, committed now or (deferred) within COMMIT_EVERY; or, while the
        journal is behind, kept after the others."""
        if self.read_only:
            return failed
        write = Write(store, self._clock(), size)
        if self._waiting:
            self._keep(write)
            return None
        result = self._apply(write, failed)
        if deferred:
            self._commit_later()
        else:
            self.commit()
        return result

    def _apply(self, write: Write, failed: T) -> T | None:
        try:
            if not self._db.in_transaction:
                self._db.execute("BEGIN IMMEDIATE")  # the write lock now, not mid-transaction
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

    def _write_replayed(self) -> None:
        if not self._replayed or self._closed:
            return
        fills, self._replayed = self._replayed, []
        write = Write(lambda db, at: self._store_replayed(db, fills, at), self._clock(),
                      len(fills))
        if self._waiting:
            self._keep(write)
        else:
            self._apply(write, None)

    def _committed(self) -> None:
        self._done.clear()
        for exec_id in self._used_pending:
            self._pending.pop(exec_id, None)
        self._used_pending.clear()

    def _fall_behind(self, writes: list[Write], exc: Exception) -> None:
        """The disk refused: the open transaction's writes and these kept, first, in order."""
        with contextlib.suppress(sqlite3.Error):
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
        self._used_pending.clear()
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
                    self._in_savepoint(lambda write=write: write.store(self._db, write.at))
                except Exception as exc:
                    self._refused(exc)
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
            self._used_pending.clear()
            self._waiting.error = str(exc)
            if error_code(exc) in DAMAGED:
                self._start_afresh(str(exc))
            return False
        self._committed()
        return True

    def _retry_later(self, delay: float | None = None) -> None:
        loop = _running_loop()
        if loop is None or self._retry is not None or self._closed:
            return
        wait = self._retry_delay if delay is None else delay
        self._retry = loop.call_later(wait, self._catch_up)

    def _commit_later(self) -> None:
        if self._commit_due:
            return
        loop = _running_loop()
        if loop is None:  # no event loop (a script, a test): nothing to wait for
            self.commit()
            return
        self._commit_due = True
        loop.call_later(COMMIT_EVERY, self.commit)

    def _tell_backlog(self) -> None:
        if self.on_backlog is not None:
            self.on_backlog(self._waiting.state())

    def _refused(self, exc: Exception) -> None:
        """A write inside a batch failed: the disk's fault is raised (all is tried again),
        the write's own fault is logged and only that write dropped."""
        if error_code(exc) in PASSING:
            raise exc
        self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        logger.error("journal write to %s failed", self.path, exc_info=exc)
        self._lost(str(exc))

    def _lost(self, text: str) -> None:
        if text != self.last_error and self.on_error is not None:
            self.on_error(text)  # once per kind of failure, not once per fill
        self.last_error = text

    # -- the file --------------------------------------------------------------------------

    def _rows(self, query: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(query, params).fetchall()
        except sqlite3.Error as exc:
            if error_code(exc) in DAMAGED and not self.read_only:
                self._fall_behind([], exc)  # set aside: what it held is in the kept file
                return []
            raise JournalError(f"journal {self.path} cannot be read ({exc})") from exc

    def _set_aside_file(self, why: str) -> None:
        self.set_aside = set_aside(self.path, datetime.fromtimestamp(self._clock()))
        self.set_aside_why = why
        logger.warning("journal %s set aside as %s: %s", self.path, self.set_aside, why)

    def _start_afresh(self, why: str) -> None:
        """The file turned out damaged: set it aside and start a new one, where what is
        waiting lands."""
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        try:
            self._set_aside_file(why)
            self._db = open_writer(self.path)
        except (OSError, sqlite3.Error) as exc:
            logger.error("journal %s: no new journal: %s", self.path, exc)
            return
        self._statuses.clear()
        if self.on_set_aside is not None and self.set_aside is not None:
            self.on_set_aside(self.set_aside, why)

    def _release_lock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def today(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Local midnight until the end of time: what "today's fills" means."""
    now = (now or datetime.now()).astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight, datetime.max.replace(tzinfo=UTC)


def _event_values(kind: str, ref: str, code: int | None, data: dict[str, Any],
                  at: float) -> tuple[Any, ...]:
    return (at, kind, ref, code, JSON.encode(data))


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
