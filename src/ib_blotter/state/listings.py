"""A listing as a trader types it in the symbol field: "SAP IBIS" (or "SAP@IBIS"), "VOD LSE",
"7203 TSE"; the exchange by IB's name or the one a trader knows it by (XETRA is IB's IBIS)."""

from __future__ import annotations

import re

# The names traders say, as IB names the exchange; IB's own names pass through.
EXCHANGE_NAMES = {"XETRA": "IBIS", "TSE": "TSEJ", "TOKYO": "TSEJ", "FRANKFURT": "FWB",
                  "LONDON": "LSE"}
_LISTING = re.compile(r"([A-Z0-9][A-Z0-9.]*)(?:\s+|@)([A-Z][A-Z0-9]*)", re.ASCII)


def split_listing(text: str) -> tuple[str, str]:
    """(symbol, exchange): "SAP IBIS" -> ("SAP", "IBIS"); "AAPL" -> ("AAPL", "")."""
    text = " ".join(text.strip().upper().split())
    match = _LISTING.fullmatch(text)
    if match is None:
        return text, ""
    symbol, exchange = match.groups()
    return symbol, EXCHANGE_NAMES.get(exchange, exchange)


def listing_name(exchange: str, currency: str) -> str:
    """A listing in a list of them: "IBIS (EUR)"."""
    return f"{exchange} ({currency})" if currency else exchange
