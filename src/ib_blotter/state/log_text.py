"""How events read in the execution log: one sentence per order change, fill or connection."""

from __future__ import annotations

from .prices import format_price, format_quantity
from .records import ConnectionInfo, ConnectionState, FillRow, OrderRow


def order_change(prev: OrderRow | None, row: OrderRow) -> str | None:
    """A new order, a new status, or new terms; None when nothing a trader reads changed."""
    if prev is None:
        return f"{order_name(row)} {order_terms(row)}: {row.status}"
    if prev.status != row.status:
        return f"{order_name(row)}: {row.status}{fill_note(row)}"
    if order_terms(prev) != order_terms(row):
        return f"{order_name(row)} now {order_terms(row)}"
    return None


def order_name(row: OrderRow) -> str:
    ref = f"#{row.order_id}" if row.order_id > 0 else f"perm {row.perm_id}"
    return f"Order {ref} {row.symbol}"


def order_terms(row: OrderRow) -> str:
    price = " ".join(format_price(p, row.min_tick) for p in (row.limit, row.aux) if p is not None)
    percent = f" {row.trailing_percent:g}%" if row.trailing_percent else ""
    terms = f"{row.side} {format_quantity(row.quantity)} {row.order_type}"
    return " ".join(part for part in (terms, price + percent, row.tif) if part.strip())


def fill_note(row: OrderRow) -> str:
    if row.filled and row.avg_fill_price:
        price = format_price(row.avg_fill_price, row.min_tick)
        return f" {format_quantity(row.filled)} @ {price}"
    return ""


def fill_text(fill: FillRow, min_tick: float | None = None) -> str:
    where = f" on {fill.exchange}" if fill.exchange else ""
    price = format_price(fill.price, min_tick)
    trade = f"{fill.side} {format_quantity(fill.shares)} {fill.symbol} @ {price}"
    return f"{trade}{where}, order #{fill.order_id}, exec {fill.exec_id} ({fill.liquidity})"


def commission_text(fill: FillRow) -> str:
    text = f"Commission {fill.commission:.2f} {fill.commission_currency} on exec {fill.exec_id}"
    if fill.realized_pnl is not None:
        text += f", realized PnL {fill.realized_pnl:,.2f}"
    return text


def connection_text(info: ConnectionInfo) -> str:
    where = f"{info.host}:{info.port}"
    sim = " (SIMULATED)" if info.simulated else ""
    error = f": {info.last_error}" if info.last_error else ""
    if info.state == ConnectionState.CONNECTED:
        accounts = ", ".join(info.accounts) or "none"
        return (
            f"Connected to {where}{sim} as client {info.client_id}, "
            f"server version {info.server_version}, accounts {accounts}"
        )
    if info.state == ConnectionState.CONNECTING:
        return f"Connecting to {where}{sim} as client {info.client_id}"
    if info.state == ConnectionState.LINK_LOST:
        return f"IB link lost at {where}{error}: orders stay at IB, requests wait for it"
    if info.state == ConnectionState.RECONNECTING:
        return f"Reconnecting to {where}{sim}{error}"
    return f"Disconnected from {where}{error}"
