"""`OpenOrdersTable`: the live order book, one line per order, repainted one row at a time.

A LiveTable (the line API, not DataTable: update_cell repaints the whole widget, which over
SSH costs ~50x the bytes of the one changed row), with the orders' columns and colours.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style

from ..state.prices import format_price, format_quantity
from ..state.records import OrderKey, OrderRow
from .live_table import Column, LiveTable


def _time(row: OrderRow) -> str:
    return row.placed.strftime("%H:%M:%S") if row.placed else ""


def _price(value: float | None, row: OrderRow) -> str:
    return format_price(value, row.min_tick) if value is not None else ""


def _aux(row: OrderRow) -> str:
    if row.trailing_percent is not None:
        return f"{row.trailing_percent:g}%"
    return _price(row.aux, row)


# In priority order: at 80 columns the first ones fit; wider terminals show more.
COLUMNS: tuple[Column[OrderRow], ...] = (
    Column("Symbol", 8, lambda r: f"└{r.symbol}" if r.parent_id else r.symbol),
    Column("Side", 4, lambda r: r.side),
    Column("Qty", 7, lambda r: format_quantity(r.quantity), right=True),
    Column("Type", 8, lambda r: r.order_type),
    Column("Limit", 9, lambda r: _price(r.limit, r), right=True),
    Column("Status", 13, lambda r: r.status),
    Column("Filled", 7, lambda r: format_quantity(r.filled), right=True),
    Column("Avg", 9, lambda r: _price(r.avg_fill_price or None, r), right=True),
    Column("Aux", 9, _aux, right=True),
    Column("TIF", 4, lambda r: r.tif),
    Column("Id", 6, lambda r: str(r.order_id), right=True),
    Column("Time", 8, _time),
    Column("Rem", 7, lambda r: format_quantity(r.remaining), right=True),
    Column("Account", 10, lambda r: r.account),
    Column("PermId", 10, lambda r: str(r.perm_id), right=True),
    Column("Cl", 3, lambda r: str(r.client_id), right=True),
)
STATUS_STYLES = {
    "Submitted": Style(color="green3", bold=True),
    "PreSubmitted": Style(color="cyan"),
    "PendingSubmit": Style(color="yellow"),
    "PendingCancel": Style(color="yellow"),
    "Filled": Style(color="dodger_blue1", bold=True),
    "Cancelled": Style(color="grey58"),
    "ApiCancelled": Style(color="grey58"),
    "Inactive": Style(color="red", bold=True),
}
SIDE_STYLES = {"BUY": Style(color="green3"), "SELL": Style(color="red1")}




class OpenOrdersTable(LiveTable[OrderKey, OrderRow]):
    """Orders by arrival: ours in plain text, other clients' in italics, ended ones dimmed."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *LiveTable.COMPONENT_CLASSES, "orders-table--not-ours", "orders-table--ended",
    }
    COLUMNS = COLUMNS
    TAIL_TITLE = "Message"

    def __init__(self, empty_text: str = "No working orders.", **kwargs: object) -> None:
        super().__init__(empty_text, **kwargs)

    def key_of(self, row: OrderRow) -> OrderKey:
        return row.key

    def tail(self, row: OrderRow) -> str:
        return row.last_message

    def row_style(self, row: OrderRow) -> Style:
        if row.is_ended:
            return self.get_component_rich_style("orders-table--ended")
        if not row.ours:
            return self.get_component_rich_style("orders-table--not-ours")
        return Style()

    def cell_style(self, column: Column[OrderRow], row: OrderRow) -> Style:
        if column.title == "Status":
            return STATUS_STYLES.get(row.status, Style())
        if column.title == "Side":
            return SIDE_STYLES.get(row.side, Style())
        return Style()
