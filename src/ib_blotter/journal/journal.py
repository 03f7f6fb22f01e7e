"""`Journal`: what happened today, on disk, so a crash or kill -9 loses nothing.

A SQLite database in WAL mode holds two tables: `fills`, one row per execution keyed by its exec
id without the correction suffix (IB's corrections replace the row), and `events`, an append-only
record of every execution, commission report, order action we sent (contract and order as JSON),
status change and IB error.

A fill we are told of live, its commission and each order action we send are committed before
the state (and so the screen) hears of them: what the trader saw is on disk. Order statuses,
IB's messages and the executions replayed after a connect are written to the same transaction
and committed within COMMIT_EVERY (50 ms), or with the next live fill, so a burst costs one
commit (a status storm would otherwise commit thousands of times a second on the UI's thread).
What they hold is at IB anyway: the next connect asks for it again. synchronous=NORMAL
keeps a commit at tens of microseconds; a commit survives the process being killed, and only an
OS crash can lose the last few, which the next start's reqExecutions brings back.

Writing never raises: a full disk must not stop the blotter from showing fills. A failure is
logged and kept in `last_error`.
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
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from ..private_files import open_private
from ..state.records import FillRow, Liquidity, OrderKey, OrderRow, exec_base, is_later_revision

logger = logging.getLogger(__name__)
T = TypeVar("T")

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS fills (
    exec_key TEXT PRIMARY KEY,      -- exec id without its correction suffix
    exec_id TEXT NOT NULL,          -- the latest revision we were sent
    time REAL NOT NULL,             -- epoch seconds
    order_id INTEGER NOT NULL,
    perm_id INTEGER NOT NULL,
    client_id INTEGER NOT NULL,
    account TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    shares REAL NOT NULL,
    price REAL NOT NULL,
    exchange TEXT NOT NULL,
    liquidity TEXT NOT NULL,
    cum_qty REAL NOT NULL,
    avg_price REAL NOT NULL,
    commission REAL,
    commission_currency TEXT NOT NULL,
    realized_pnl REAL,
    recorded REAL NOT NULL          -- when we wrote it
);
CREATE INDEX IF NOT EXISTS fills_by_time ON fills(time);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    kind TEXT NOT NULL,             -- execution, commission, order_action, status, error
    ref TEXT NOT NULL,              -- the exec id or the order key
    code INTEGER,                   -- IB's error code, for errors
    data TEXT NOT NULL              -- the event as JSON
);
CREATE INDEX IF NOT EXISTS events_by_time ON events(time);
"""
FILL_COLUMNS = (
    "exec_key", "exec_id", "time", "order_id", "perm_id", "client_id", "account", "symbol",
    "side", "shares", "price", "exchange", "liquidity", "cum_qty", "avg_price", "commission",
    "commission_currency", "realized_pnl", "recorded",
)
_INSERT_FILL = (
    f"INSERT INTO fills ({', '.join(FILL_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in FILL_COLUMNS)}) ON CONFLICT(exec_key) "
)
_NEW_FILL = _INSERT_FILL + "DO NOTHING"
_UPSERT_FILL = _INSERT_FILL + "DO UPDATE SET " + ", ".join(
    f"{c} = excluded.{c}" for c in FILL_COLUMNS if c != "exec_key")
_INSERT_EVENT = "INSERT INTO events (time, kind, ref, code, data) VALUES (?, ?, ?, ?, ?)"
COMMIT_EVERY = 0.05  # seconds: statuses and replays of a burst share one commit
KEYS_PER_QUERY = 500  # below SQLite's oldest limit on a statement's parameters (999)
# default=str: Decimal quantities and any odd value IB sends still get written.
_JSON = json.JSONEncoder(default=str, allow_nan=True)


class JournalError(Exception):
    """The journal file cannot be opened; the text says where and why."""


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

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self.last_error = ""
        self.on_error: Callable[[str], None] | None = None  # told of each new kind of failure
        self._statuses: dict[OrderKey, tuple[str, float, float]] = {}  # last status written
        self._pending: OrderedDict[str, _Commission] = OrderedDict()  # commission before fill
        self._open = False  # a transaction is open: events go into it as savepoints
        self._commit_due = False  # a commit is scheduled (within COMMIT_EVERY)
        self._replayed: list[FillRow] = []  # replayed fills not written yet
        try:
            _create_private(path)
            # isolation_level=None: we open every transaction ourselves, so nothing is left
            # pending between events.
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=2000")  # an export may be reading
            self._db.executescript(SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(f"journal {path}: {exc}") from exc

    def close(self) -> None:
        self.commit()
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def record_fill(self, fill: FillRow) -> bool:
        """Store an execution; True when it was new, a correction, or brought its commission.

        The same exec id again (a duplicate, a replay after a reconnect) changes nothing; an
        older revision of a fill IB has since corrected is ignored.
        """
        fill = self._with_pending_commission(fill)
        return self._in_transaction(lambda db: self._store_fill(db, fill), failed=False)

    def record_replayed(self, fill: FillRow) -> None:
        """An execution from IB's answer to reqExecutions (perhaps one we have): kept, and
        written with the others that came within COMMIT_EVERY, in one statement, when those
        are committed."""
        self._replayed.append(self._with_pending_commission(fill))
        self._commit_later()

    def record_commission(
        self, exec_id: str, commission: float, currency: str, realized_pnl: float | None
    ) -> None:
        """A commission report: onto its fill if we have that revision, else kept for it."""
        data = {"commission": commission, "currency": currency, "realized_pnl": realized_pnl}

        def store(db: sqlite3.Connection) -> None:
            stored = db.execute(
                "SELECT exec_id, commission FROM fills WHERE exec_key = ?", (exec_base(exec_id),)
            ).fetchone()
            if stored is None or is_later_revision(exec_id, stored[0]):
                self._pending[exec_id] = _Commission(commission, currency, realized_pnl)
                while len(self._pending) > 1000:
                    self._pending.popitem(last=False)
            elif stored[0] == exec_id and stored[1] is None:
                db.execute(
                    "UPDATE fills SET commission = ?, commission_currency = ?, realized_pnl = ? "
                    "WHERE exec_key = ?", (commission, currency, realized_pnl, exec_base(exec_id)),
                )
                self._event(db, "commission", exec_id, None, data)

        self._in_transaction(store, failed=None)

    def record_order_action(
        self, action: str, key: OrderKey | None, order: dict[str, Any]
    ) -> None:
        """An order request we sent (place, modify, cancel, global cancel), whole."""
        self._write("order_action", str(key) if key else "", None, {"action": action, **order})

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
        self._write("status", str(row.key), None, data, deferred=True)

    def record_error(self, req_id: int, code: int, text: str) -> None:
        """An error or notice from IB (reqId -1: not about a request)."""
        self._write("error", str(req_id), code, {"req_id": req_id, "code": code, "text": text},
                    deferred=True)

    # -- reading ---------------------------------------------------------------------------

    def fills_between(self, start: datetime, end: datetime) -> list[FillRow]:
        """Fills with start <= time < end, oldest first."""
        self._write_replayed()
        rows = self._db.execute(
            f"SELECT {', '.join(FILL_COLUMNS)} FROM fills WHERE time >= ? AND time < ? "
            "ORDER BY time, exec_key", (start.timestamp(), end.timestamp())
        ).fetchall()
        return [_fill_from_row(row) for row in rows]

    def fills_today(self, now: datetime | None = None) -> list[FillRow]:
        """Today's fills (local midnight until now), oldest first."""
        now = (now or datetime.now()).astimezone()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return self.fills_between(midnight, datetime.max.replace(tzinfo=UTC))

    def events(self, kind: str | None = None) -> list[JournalEvent]:
        query = "SELECT time, kind, ref, code, data FROM events"
        params: tuple[str, ...] = ()
        if kind is not None:
            query, params = query + " WHERE kind = ?", (kind,)
        rows = self._db.execute(query + " ORDER BY id", params).fetchall()
        return [
            JournalEvent(datetime.fromtimestamp(t, UTC), k, r, c, json.loads(d))
            for t, k, r, c, d in rows
        ]

    def commit(self) -> None:
        """Commit whatever is written and not yet committed."""
        self._commit_due = False
        self._write_replayed()
        if not self._open:
            return
        self._open = False
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._failed(exc)
            with contextlib.suppress(sqlite3.Error):  # else every later BEGIN fails too
                self._db.execute("ROLLBACK")

    # -- internals -------------------------------------------------------------------------

    def _in_transaction(
        self, work: Callable[[sqlite3.Connection], T], *, failed: T, deferred: bool = False
    ) -> T:
        """One event, committed now, or (deferred) within COMMIT_EVERY."""
        try:
            return self._in_savepoint(work, failed=failed)
        finally:
            if deferred:
                self._commit_later()
            else:
                self.commit()

    def _in_savepoint(self, work: Callable[[sqlite3.Connection], T], *, failed: T) -> T:
        """Work in a savepoint of the open transaction, so a bad event spoils nothing else;
        a failure is logged, never raised to the feed."""
        try:
            if not self._open:
                self._db.execute("BEGIN")
                self._open = True
            self._db.execute("SAVEPOINT event")
            try:
                return work(self._db)
            except BaseException:
                self._db.execute("ROLLBACK TO event")
                raise
            finally:
                self._db.execute("RELEASE event")  # a rolled-back savepoint is released too
        except Exception as exc:  # sqlite3.Error mostly; anything else must not stop the feed
            self._failed(exc)
            return failed

    def _store_fill(self, db: sqlite3.Connection, fill: FillRow) -> bool:
        if db.execute(_NEW_FILL, self._fill_values(fill)).rowcount:  # the usual case
            self._event(db, "execution", fill.exec_id, None, _fill_document(fill))
            return True
        stored = db.execute(
            "SELECT exec_id, commission FROM fills WHERE exec_key = ?", (fill.key,)
        ).fetchone()
        if stored[0] != fill.exec_id:
            if not is_later_revision(fill.exec_id, stored[0]):
                return False
        elif fill.commission is None or stored[1] is not None:
            return False  # nothing new
        db.execute(_UPSERT_FILL, self._fill_values(fill))
        if stored[0] != fill.exec_id:
            self._event(db, "execution", fill.exec_id, None, _fill_document(fill))
        return True

    def _write_replayed(self) -> None:
        """The replayed fills kept so far: the new ones in two statements (a day's 100,000 at
        connect), the rest (ones we have, corrections) one by one, as live fills are."""
        if not self._replayed:
            return
        fills, self._replayed = self._replayed, []
        rest = self._in_savepoint(lambda db: self._insert_new(db, fills), failed=fills)
        for fill in rest:
            self._in_savepoint(partial(self._store_fill, fill=fill), failed=False)

    def _insert_new(self, db: sqlite3.Connection, fills: list[FillRow]) -> list[FillRow]:
        """Insert the fills whose exec key is not stored yet; returns the others."""
        first: dict[str, FillRow] = {}
        rest: list[FillRow] = []
        for fill in fills:
            if first.setdefault(fill.key, fill) is not fill:
                rest.append(fill)  # the same execution twice in one batch
        known = self._stored_keys(db, list(first))
        new = [fill for key, fill in first.items() if key not in known]
        rest += [fill for key, fill in first.items() if key in known]
        db.executemany(_NEW_FILL, [self._fill_values(fill) for fill in new])
        db.executemany(_INSERT_EVENT, [
            self._event_values("execution", fill.exec_id, None, _fill_document(fill))
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

    def _commit_later(self) -> None:
        if self._commit_due:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a script, a test): nothing to wait for
            self.commit()
            return
        self._commit_due = True
        loop.call_later(COMMIT_EVERY, self.commit)

    def _failed(self, exc: Exception) -> None:
        logger.error("journal write to %s failed", self.path, exc_info=exc)
        if str(exc) != self.last_error and self.on_error is not None:
            self.on_error(str(exc))  # once per kind of failure, not once per fill
        self.last_error = str(exc)

    def _write(
        self, kind: str, ref: str, code: int | None, data: dict[str, Any], *,
        deferred: bool = False,
    ) -> None:
        self._in_transaction(lambda db: self._event(db, kind, ref, code, data), failed=None,
                             deferred=deferred)

    def _event(
        self, db: sqlite3.Connection, kind: str, ref: str, code: int | None,
        data: dict[str, Any],
    ) -> None:
        db.execute(_INSERT_EVENT, self._event_values(kind, ref, code, data))

    def _event_values(
        self, kind: str, ref: str, code: int | None, data: dict[str, Any]
    ) -> tuple[Any, ...]:
        return (self._clock(), kind, ref, code, _JSON.encode(data))

    def _with_pending_commission(self, fill: FillRow) -> FillRow:
        report = self._pending.pop(fill.exec_id, None)
        if report is None or fill.commission is not None:
            return fill
        return replace(fill, commission=report.commission,
                       commission_currency=report.currency, realized_pnl=report.realized_pnl)

    def _fill_values(self, fill: FillRow) -> tuple[Any, ...]:
        return (
            fill.key, fill.exec_id, fill.time.timestamp(), fill.order_id, fill.perm_id,
            fill.client_id, fill.account, fill.symbol, fill.side, fill.shares, fill.price,
            fill.exchange, fill.liquidity.value, fill.cum_qty, fill.avg_price, fill.commission,
            fill.commission_currency, fill.realized_pnl, self._clock(),
        )


def _create_private(path: Path) -> None:
    """The file (and a directory we make for it) readable by the user only, before SQLite
    opens it: SQLite gives its -wal and -shm files the database file's permissions."""
    os.close(open_private(path, os.O_RDWR))


def _fill_document(fill: FillRow) -> dict[str, Any]:
    return {
        "exec_id": fill.exec_id, "time": fill.time.isoformat(), "order_id": fill.order_id,
        "perm_id": fill.perm_id, "client_id": fill.client_id, "account": fill.account,
        "symbol": fill.symbol, "side": fill.side, "shares": fill.shares, "price": fill.price,
        "exchange": fill.exchange, "liquidity": fill.liquidity.value, "cum_qty": fill.cum_qty,
        "avg_price": fill.avg_price,
    }


def _fill_from_row(row: tuple[Any, ...]) -> FillRow:
    values = dict(zip(FILL_COLUMNS, row, strict=True))
    del values["exec_key"], values["recorded"]  # the table's own bookkeeping
    values["time"] = datetime.fromtimestamp(values["time"], UTC)
    values["liquidity"] = Liquidity(values["liquidity"])
    return FillRow(**values)
