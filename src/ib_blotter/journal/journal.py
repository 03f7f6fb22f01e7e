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
memory with every write after it, in order, and retried until it lands (writer.py: `backlog`,
`on_backlog`); a write refused for what it holds is logged and dropped (`on_error`). A file
found damaged is set aside and a new journal started (`set_aside`, `on_set_aside`).
"""

from __future__ import annotations

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
from functools import partial
from pathlib import Path
from typing import Any

from ..state.fill_identity import FillNews, ReportNews, fill_news, report_news
from ..state.records import FillRow, OrderKey, OrderRow, exec_base
from .backlog import MAX_BACKLOG
from .checkpoints import Checkpointer
from .files import (
    DAMAGED,
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
    INSERT_EVENT,
    JSON,
    NEW_FILL,
    SET_MARK,
    UPSERT_FILL,
    fill_document,
    fill_from_row,
    fill_list,
    fill_values,
)
from .writer import Writer

logger = logging.getLogger(__name__)

KEYS_PER_QUERY = 500  # below SQLite's oldest limit on a statement's parameters (999)
# A replay's fills written this many at a time: all that came between two turns of a loaded
# loop (thousands) in one statement held the screen 74 ms.
REPLAY_BATCH = 200
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


class Journal(Writer):
    """The day's fills and events in a private SQLite file; see the module docstring."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time,
                 read_only: bool = False, max_backlog: int = MAX_BACKLOG) -> None:
        super().__init__(path, clock, max_backlog)
        self.read_only = read_only  # reads only: an export, or another process writes it
        self.in_use_by: int | None = None  # that other process's pid, when known
        self.set_aside: Path | None = None  # where a damaged or foreign file found here went
        self.set_aside_why = ""
        self.on_set_aside: Callable[[Path, str], None] | None = None  # damage found later
        self._statuses: dict[OrderKey, tuple[str, float, float]] = {}  # last status written
        self._pending: OrderedDict[str, _Commission] = OrderedDict()  # commission before fill
        self._used_pending: list[str] = []  # taken by fills in the open transaction
        self._replayed: list[FillRow] = []  # replayed fills not written yet
        self._lock: int | None = None
        self._checkpointer: Checkpointer | None = None  # the writer's, off the event loop
        try:
            self._db = self._open()
            self._fill_list = fill_list(self._db)  # what a fill is read as, in this file
            if not self.read_only:
                self._checkpointer = Checkpointer(path, self)
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
        self._finish()
        self._stop_checkpoints()
        self._db.close()  # the last connection: SQLite checkpoints and removes the WAL
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
            if len(self._replayed) >= REPLAY_BATCH:
                self.commit()
            else:
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
        if row.legs:  # a combo: what it trades, leg by leg
            data["legs"] = [[leg.con_id, leg.ratio, leg.action, leg.symbol] for leg in row.legs]
        self._event_write("status", str(row.key), None, data, deferred=True)

    def vouch(self, scope: str, until: float) -> None:
        """Every fill of `scope` before `until` (epoch seconds) is written (or kept in order
        with the writes before this one): written with them, in the same commit."""
        self._submit(lambda db, at: db.execute(SET_MARK, (scope, until)), failed=None,
                     deferred=True)

    def vouched(self, scope: str) -> float | None:
        """Before when the journal has every fill of `scope`; None when it cannot say."""
        try:
            rows = self._db.execute("SELECT value FROM marks WHERE name = ?", (scope,)).fetchall()
        except sqlite3.Error:  # an older journal read by another process: no marks
            return None
        return rows[0][0] if rows else None

    def record_error(self, req_id: int, code: int, text: str) -> None:
        """An error or notice from IB (reqId -1: not about a request)."""
        self._event_write("error", str(req_id), code,
                          {"req_id": req_id, "code": code, "text": text}, deferred=True)

    # -- reading ---------------------------------------------------------------------------

    def fills_between(self, start: datetime, end: datetime) -> list[FillRow]:
        """Fills with start <= time < end, oldest first (in the order written, at one time)."""
        self._before_commit()  # replayed fills not written yet are read too
        rows = self._rows(f"SELECT {self._fill_list} FROM fills WHERE time >= ? AND time < ? "
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

    def count_between(self, start: datetime, end: datetime, at_most: int) -> int:
        """How many fills have start <= time < end, counted up to `at_most` (a step of the
        index each: a whole day's count(*) is what any_between avoids)."""
        rows = self._rows("SELECT COUNT(*) FROM (SELECT 1 FROM fills WHERE time >= ? "
                          "AND time < ? LIMIT ?)", (start.timestamp(), end.timestamp(), at_most))
        return int(rows[0][0])

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
                f"SELECT {self._fill_list}, rowid FROM fills WHERE time >= ? AND time < ? "
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
        news = fill_news(stored[0], stored[1] is not None, fill)
        if news is FillNews.NOTHING:
            return False
        db.execute(UPSERT_FILL, fill_values(fill, self._clock()))
        if news is FillNews.CORRECTION:
            self._event(db, "execution", fill.exec_id, None, fill_document(fill), at)
        return True

    def _store_commission(self, db: sqlite3.Connection, exec_id: str, report: _Commission,
                          at: float) -> None:
        stored = db.execute(
            "SELECT exec_id, commission FROM fills WHERE exec_key = ?", (exec_base(exec_id),)
        ).fetchone()
        news = report_news(stored[0] if stored else None,
                           stored is not None and stored[1] is not None, exec_id)
        if news is ReportNews.WAIT:
            self._pending[exec_id] = report
            while len(self._pending) > 1000:
                self._pending.popitem(last=False)
        elif news is ReportNews.APPLY:
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
                self._in_savepoint(partial(self._store_fill, db, fill, at))
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

    # -- around a commit ------------------------------------------------------------------

    def _before_commit(self) -> None:
        if not self._replayed or self._closed:
            return
        fills, self._replayed = self._replayed, []
        self._add(lambda db, at: self._store_replayed(db, fills, at), None, len(fills))

    def _after_commit(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.due()
        for exec_id in self._used_pending:
            self._pending.pop(exec_id, None)
        self._used_pending.clear()

    def _after_rollback(self) -> None:
        self._used_pending.clear()

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
        self._stop_checkpoints()
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        try:
            self._set_aside_file(why)
            self._db = open_writer(self.path)
            self._fill_list = fill_list(self._db)
            self._checkpointer = Checkpointer(self.path, self)
        except (OSError, sqlite3.Error) as exc:
            logger.error("journal %s: no new journal: %s", self.path, exc)
            return
        self._statuses.clear()
        if self.on_set_aside is not None and self.set_aside is not None:
            self.on_set_aside(self.set_aside, why)

    def _stop_checkpoints(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None

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


