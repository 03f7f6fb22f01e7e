"""How events read in the execution log: one sentence per order change, fill or connection.

Sizes carry thousands separators, prices their contract's tick (the usual tick of the symbol
when the contract's is not known yet), money two decimals with separators. A line may end in a
detail (an exec id) that the log shows only where the line has room for it: `split_detail`.
"""

from __future__ import annotations

from .money import price_unit_of
from .order_types import order_type
from .prices import (
    Tick,
    format_average,
    format_money,
    format_price,
    format_size,
    usual_tick,
)
from .records import ConnectionInfo, ConnectionState, FillRow, Liquidity, OrderRow

DETAIL = ", exec "  # what starts a line's detail: the exec id, left out where there is no room
LIQUIDITY_WORDS = {Liquidity.ADDED: "added liquidity", Liquidity.REMOVED: "removed liquidity",
                   Liquidity.ROUTED: "routed out"}


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
    prices = order_type(row.order_type).price_text(row, row.grid)
    terms = f"{row.side} {format_size(row.quantity)} {row.order_type}"
    return " ".join(part for part in (terms, prices, row.tif) if part)


def fill_note(row: OrderRow) -> str:
    if row.filled and row.avg_fill_price:
        price = format_average(row.avg_fill_price, row.grid)
        return f" {format_size(row.filled)} @ {price}"
    return ""


def fill_text(fill: FillRow, min_tick: Tick = None, base: str = "USD") -> str:
    """"BOT 100 AAPL @ 187.50 on NASDAQ, removed liquidity, order #21, commission 1.00 USD,
    exec 081c...01": the commission once its report is in, "commission to come" until. The
    price says its currency when that is not the account's `base` ("@ 238.45 EUR")."""
    parts = [_trade(fill, min_tick) + _price_unit(fill, base)
             + (f" on {fill.exchange}" if fill.exchange else "")]
    if fill.liquidity in LIQUIDITY_WORDS:
        parts.append(LIQUIDITY_WORDS[fill.liquidity])
    parts.append(f"order #{fill.order_id}")
    if fill.commission is None:
        parts.append("commission to come")
    else:
        parts.append(f"commission {format_money(fill.commission)} {fill.commission_currency}")
        if fill.realized_pnl is not None:
            parts.append(f"realized PnL {format_money(fill.realized_pnl, signed=True)}")
    return ", ".join(parts) + DETAIL + fill.exec_id


def _trade(fill: FillRow, min_tick: Tick) -> str:
    price = format_price(fill.price, min_tick or usual_tick(fill.symbol))
    return f"{fill.side} {format_size(fill.shares)} {fill.symbol} @ {price}"


def _price_unit(fill: FillRow, base: str) -> str:
    if fill.price_magnifier != 1:
        return " " + price_unit_of(fill.currency, fill.price_magnifier)
    return f" {fill.currency}" if fill.currency and fill.currency != base else ""


def split_detail(text: str) -> tuple[str, str]:
    """A line's text and its detail ("exec ..."), which may be left out; "" when none."""
    main, found, exec_id = text.rpartition(DETAIL)
    if not found or not exec_id or " " in exec_id:
        return text, ""
    return main, f"exec {exec_id}"


# TWS's whyHeld words, as the trader would say them.
HELD_WORDS = {"trigger": "held: stop not triggered",
              "child": "held: parent not filled",
              "child,trigger": "held: parent not filled, stop not triggered",
              "locate": "held: IB locating shares to borrow"}


def held_text(why_held: str) -> str:
    """Why IB holds an order back, in words ("" when it does not)."""
    return HELD_WORDS.get(why_held, f"held by IB: {why_held}" if why_held else "")


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
