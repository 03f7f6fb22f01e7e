"""The journal and the export carry each fill's currency and multiplier (issue 15, point 3), and
a journal written before they did is kept, read and brought up to date, never set aside."""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from ib_blotter.journal import Journal
from ib_blotter.journal.export import write_fills
from ib_blotter.state.records import FillRow

from .test_journal import fill

# The fills table as version 1 of the journal made it, before currency and multiplier.
V1_FILLS = """
CREATE TABLE fills (exec_key TEXT PRIMARY KEY, exec_id TEXT NOT NULL, time REAL NOT NULL,
    order_id INTEGER NOT NULL, perm_id INTEGER NOT NULL, client_id INTEGER NOT NULL,
    account TEXT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL, shares REAL NOT NULL,
    price REAL NOT NULL, exchange TEXT NOT NULL, liquidity TEXT NOT NULL, cum_qty REAL NOT NULL,
    avg_price REAL NOT NULL, commission REAL, commission_currency TEXT NOT NULL,
    realized_pnl REAL, recorded REAL NOT NULL);
CREATE TABLE events (id INTEGER PRIMARY KEY, time REAL NOT NULL, kind TEXT NOT NULL,
    ref TEXT NOT NULL, code INTEGER, data TEXT NOT NULL);
INSERT INTO fills VALUES ('old.01', 'old.01.01', 1700000000, 7, 501, 1, 'DU1', 'AAPL', 'BOT',
    100, 187.5, 'ISLAND', 'added', 100, 187.5, 1.0, 'USD', NULL, 1700000000);
PRAGMA user_version = 1;
"""


def sap_fill() -> FillRow:
    return replace(fill("0001f4a5.6633a1b2.02.01"), symbol="SAP", price=238.45,
                   exchange="IBIS", currency="EUR")


def es_fill() -> FillRow:
    return replace(fill("0001f4a5.6633a1b2.03.01"), symbol="ESZ6", shares=2, price=5400.25,
                   currency="USD", multiplier=50.0)


def test_a_fill_keeps_its_currency_and_multiplier(tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite") as journal:
        journal.record_fill(sap_fill())
        journal.record_fill(es_fill())
        fills = journal.fills_between(*_all_time())
    assert [(f.symbol, f.currency, f.multiplier) for f in fills] == [
        ("SAP", "EUR", 1.0), ("ESZ6", "USD", 50.0)]
    out = io.StringIO()
    write_fills(fills, "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["currency"], r["multiplier"]) for r in rows] == [("EUR", "1.0"), ("USD", "50.0")]


def test_a_price_in_pence_is_kept_as_such(tmp_path: Path) -> None:
    vod = replace(fill("0001f4a5.6633a1b2.04.01"), symbol="VOD", price=71.24, exchange="LSE",
                  currency="GBP", price_magnifier=100)
    with Journal(tmp_path / "journal.sqlite") as journal:
        journal.record_fill(vod)
        [kept] = journal.fills_between(*_all_time())
    assert (kept.price, kept.currency, kept.price_magnifier) == (71.24, "GBP", 100)
    out = io.StringIO()
    write_fills([kept], "csv", out)
    [row] = csv.DictReader(io.StringIO(out.getvalue()))
    assert row["price_magnifier"] == "100"


def test_a_journal_from_before_is_read_and_brought_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    db = sqlite3.connect(path)
    db.executescript(V1_FILLS)
    db.close()
    with Journal(path, read_only=True) as reader:  # an export: reads, never converts
        [old] = reader.fills_between(*_all_time())
    assert (old.exec_id, old.currency, old.multiplier, old.price_magnifier) == (
        "old.01.01", "", 1.0, 1)
    with Journal(path) as journal:
        assert journal.set_aside is None
        journal.record_fill(sap_fill())
        fills = journal.fills_between(*_all_time())
    assert [(f.exec_id, f.currency) for f in fills] == [("old.01.01", ""),
                                                        ("0001f4a5.6633a1b2.02.01", "EUR")]


def _all_time() -> tuple[datetime, datetime]:
    return datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
