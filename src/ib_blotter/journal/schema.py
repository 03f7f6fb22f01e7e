"""The journal's tables, its statements, and a fill as a row and back."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from ..state.records import FillRow, Liquidity

SCHEMA_VERSION = 1  # PRAGMA user_version: a file without it is not ours
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
    currency TEXT NOT NULL DEFAULT '',  -- the contract's ('' in fills from before it was kept)
    multiplier REAL NOT NULL DEFAULT 1,
    price_magnifier INTEGER NOT NULL DEFAULT 1,
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
""" + "\n"
# What the journal vouches for ("every fill of this scope before `value` is here"): added to
# journals of version 1 as they are opened; a journal without it vouches for nothing.
MARKS = """
CREATE TABLE IF NOT EXISTS marks (
    name TEXT PRIMARY KEY,
    value REAL NOT NULL
);
"""
SET_MARK = ("INSERT INTO marks (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value")
FILL_COLUMNS = (
    "exec_key", "exec_id", "time", "order_id", "perm_id", "client_id", "account", "symbol",
    "side", "shares", "price", "exchange", "liquidity", "cum_qty", "avg_price", "commission",
    "commission_currency", "realized_pnl", "currency", "multiplier", "price_magnifier",
    "recorded",
)
# Added to version 1's fills as its journals are opened to write; a journal not opened so
# since (an export reads only) has them read as their defaults.
ADDED_FILL_COLUMNS = {"currency": ("TEXT NOT NULL DEFAULT ''", "''"),
                      "multiplier": ("REAL NOT NULL DEFAULT 1", "1.0"),
                      "price_magnifier": ("INTEGER NOT NULL DEFAULT 1", "1")}
FIRST_FILL_COLUMNS = tuple(c for c in FILL_COLUMNS if c not in ADDED_FILL_COLUMNS)
EVENT_COLUMNS = ("id", "time", "kind", "ref", "code", "data")
_INSERT_FILL = (
    f"INSERT INTO fills ({', '.join(FILL_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in FILL_COLUMNS)}) ON CONFLICT(exec_key) "
)
NEW_FILL = _INSERT_FILL + "DO NOTHING"
UPSERT_FILL = _INSERT_FILL + "DO UPDATE SET " + ", ".join(
    f"{c} = excluded.{c}" for c in FILL_COLUMNS if c != "exec_key")
INSERT_EVENT = "INSERT INTO events (time, kind, ref, code, data) VALUES (?, ?, ?, ?, ?)"
# default=str: Decimal quantities and any odd value IB sends still get written.
JSON = json.JSONEncoder(default=str, allow_nan=True)


def not_ours(db: sqlite3.Connection) -> str:
    """Why this SQLite database is not a journal of ours ("" when it is); reads only."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        return f"not an ib-blotter journal (user_version {version}, ours is {SCHEMA_VERSION})"
    for table, wanted in (("fills", FIRST_FILL_COLUMNS), ("events", EVENT_COLUMNS)):
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        lacking = [c for c in wanted if c not in have]
        if lacking:
            return f"its {table} table lacks {', '.join(lacking)}" if have else f"no {table} table"
    return ""


def add_fill_columns(db: sqlite3.Connection) -> None:
    """Bring a version 1 journal's fills up to date (the columns added since)."""
    have = _fill_columns(db)
    for name, (declaration, _default) in ADDED_FILL_COLUMNS.items():
        if name not in have:
            db.execute(f"ALTER TABLE fills ADD COLUMN {name} {declaration}")


def fill_list(db: sqlite3.Connection) -> str:
    """The SELECT list of a fill in this file: a column it lacks is read as its default."""
    have = _fill_columns(db)
    return ", ".join(c if c in have or c not in ADDED_FILL_COLUMNS else
                     f"{ADDED_FILL_COLUMNS[c][1]} AS {c}" for c in FILL_COLUMNS)


def _fill_columns(db: sqlite3.Connection) -> set[str]:
    return {row[1] for row in db.execute("PRAGMA table_info(fills)")}


def probe(db: sqlite3.Connection) -> None:
    """Read the pages the next writes go to (each table's and index's newest end), so damage
    there shows now, not on the first fill; raises sqlite3.DatabaseError. A full check
    (PRAGMA quick_check) reads the whole file: 130 ms for a 200,000-fill day."""
    db.execute("SELECT max(time) FROM fills").fetchone()
    db.execute("SELECT * FROM fills ORDER BY rowid DESC LIMIT 1").fetchone()
    db.execute("SELECT max(time) FROM events").fetchone()
    db.execute("SELECT * FROM events ORDER BY id DESC LIMIT 1").fetchone()


def fill_values(fill: FillRow, recorded: float) -> tuple[Any, ...]:
    return (
        fill.key, fill.exec_id, fill.time.timestamp(), fill.order_id, fill.perm_id,
        fill.client_id, fill.account, fill.symbol, fill.side, fill.shares, fill.price,
        fill.exchange, fill.liquidity.value, fill.cum_qty, fill.avg_price, fill.commission,
        fill.commission_currency, fill.realized_pnl, fill.currency, fill.multiplier,
        fill.price_magnifier, recorded,
    )


def fill_document(fill: FillRow) -> dict[str, Any]:
    """An execution as its event's JSON."""
    return {
        "exec_id": fill.exec_id, "time": fill.time.isoformat(), "order_id": fill.order_id,
        "perm_id": fill.perm_id, "client_id": fill.client_id, "account": fill.account,
        "symbol": fill.symbol, "side": fill.side, "shares": fill.shares, "price": fill.price,
        "exchange": fill.exchange, "liquidity": fill.liquidity.value, "cum_qty": fill.cum_qty,
        "avg_price": fill.avg_price, "currency": fill.currency, "multiplier": fill.multiplier,
        "price_magnifier": fill.price_magnifier,
    }


def fill_from_row(row: tuple[Any, ...]) -> FillRow:
    values = dict(zip(FILL_COLUMNS, row, strict=True))
    del values["exec_key"], values["recorded"]  # the table's own bookkeeping
    values["time"] = datetime.fromtimestamp(values["time"], UTC)
    values["liquidity"] = Liquidity(values["liquidity"])
    return FillRow(**values)
