"""`OpenOrdersTable`: the live order book, one line per order, repainted one row at a time.

A LiveTable (the line API, not DataTable: update_cell repaints the whole widget, which over
SSH costs ~50x the bytes of the one changed row), with the orders' columns and colours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from textual.binding import Binding
from textual.message import Message

from ..state.prices import format_price, format_quantity
from ..state.records import OrderKey, OrderRow
from .guard import guarded
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
# The keys that send something: hidden (and off) when the blotter is read-only.
SENDING = frozenset({"modify", "cancel", "cancel_all", "nudge"})


class OpenOrdersTable(LiveTable[OrderKey, OrderRow]):
    """Orders by arrival: ours in plain text, other clients' in italics, ended ones dimmed.

    The keys that act on orders live here, so they work only while the table has focus: a
    letter typed into a field can never reach them. Each posts a message the screen acts on.
    """

    BINDINGS = [
        Binding("m", "modify", "Modify", tooltip="Modify the selected order: price, "
                "quantity, TIF (shows old -> new, then asks)"),
        Binding("c", "cancel", "Cancel", tooltip="Cancel the selected order (asks first)"),
        Binding("C", "cancel_all", "Cancel all", key_display="C",
                tooltip="Cancel ALL orders, IB's global cancel (asks twice: y, then a)"),
        Binding("plus,equals_sign", "nudge(1)", "+tick", key_display="+",
                tooltip="Raise the selected order's price one tick (both prices of a stop "
                        "limit); asks first if that breaks a limit or would fill"),
        Binding("minus", "nudge(-1)", "-tick", key_display="-",
                tooltip="Lower the selected order's price one tick"),
        Binding("a", "toggle_all", "All", tooltip="Show all orders, or only working ones"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *LiveTable.COMPONENT_CLASSES, "orders-table--not-ours", "orders-table--ended",
    }
    COLUMNS = COLUMNS
    TAIL_TITLE = "Message"

    @dataclass
    class ModifyRequested(Message):
        row: OrderRow

    @dataclass
    class CancelRequested(Message):
        row: OrderRow

    @dataclass
    class NudgeRequested(Message):
        row: OrderRow
        ticks: int
        key: str  # "+" or "-": the key that sends a nudge needing no question

    class CancelAllRequested(Message):
        pass

    class ShowAllToggled(Message):
        pass

    def __init__(self, empty_text: str = "No working orders.", *, readonly: bool = False,
                 **kwargs: object) -> None:
        super().__init__(empty_text, **kwargs)
        self.readonly = readonly

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (self.readonly and action in SENDING)

    @guarded
    def action_modify(self) -> None:
        if (row := self._selected()) is not None:
            self.post_message(self.ModifyRequested(row))

    @guarded
    def action_cancel(self) -> None:
        if (row := self._selected()) is not None:
            self.post_message(self.CancelRequested(row))

    @guarded
    def action_cancel_all(self) -> None:
        self.post_message(self.CancelAllRequested())

    @guarded
    def action_nudge(self, ticks: int) -> None:
        if (row := self._selected()) is not None:
            self.post_message(self.NudgeRequested(row, ticks, "+" if ticks > 0 else "-"))

    @guarded
    def action_toggle_all(self) -> None:
        self.post_message(self.ShowAllToggled())

    def _selected(self) -> OrderRow | None:
        row = self.selected
        if row is None:
            self.notify("No order selected", severity="warning")
        return row

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
