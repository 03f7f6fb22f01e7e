"""Fills from the journal as CSV or JSON, for a spreadsheet, an accountant or a script."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any, TextIO

from ..state.records import FillRow

FORMATS = ("csv", "json")
COLUMNS = (
    "time", "exec_id", "account", "symbol", "side", "shares", "price", "exchange",
    "liquidity", "order_id", "perm_id", "client_id", "cum_qty", "avg_price", "commission",
    "commission_currency", "realized_pnl", "currency", "multiplier", "price_magnifier",
)


def parse_moment(text: str, *, end: bool = False) -> datetime:
    """A date ("2024-05-01") or date-time ("2024-05-01T09:30", "2024-05-01 09:30:00+00:00"),
    local time unless it names its zone. A bare date as an end means the end of that day.

    Raises ValueError with a sentence for the command line.
    """
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.max if end else time.min)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD) or date-time "
                         "(YYYY-MM-DDTHH:MM[:SS])") from exc
    return moment.astimezone() if moment.tzinfo is None else moment


def fill_record(fill: FillRow) -> dict[str, Any]:
    """One fill as plain values; time in ISO 8601, UTC."""
    return {
        "time": fill.time.isoformat(), "exec_id": fill.exec_id, "account": fill.account,
        "symbol": fill.symbol, "side": fill.side, "shares": fill.shares, "price": fill.price,
        "exchange": fill.exchange, "liquidity": fill.liquidity.value,
        "order_id": fill.order_id, "perm_id": fill.perm_id, "client_id": fill.client_id,
        "cum_qty": fill.cum_qty, "avg_price": fill.avg_price, "commission": fill.commission,
        "commission_currency": fill.commission_currency, "realized_pnl": fill.realized_pnl,
        "currency": fill.currency, "multiplier": fill.multiplier,
        "price_magnifier": fill.price_magnifier,
    }


def write_fills(fills: Iterable[FillRow], fmt: str, out: TextIO) -> int:
    """Write fills to `out` as csv or json; returns how many."""
    records = [fill_record(f) for f in fills]
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        # None (no commission yet, no realized PnL) is an empty cell, not the text "None".
        writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in records)
    elif fmt == "json":
        json.dump(records, out, indent=2)
        out.write("\n")
    else:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    return len(records)
